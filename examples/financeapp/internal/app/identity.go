package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/zt/mtls/devca"
)

// ServiceID returns the SPIFFE ID of a service in trust domain td:
// spiffe://<td>/financeapp/<name>, and spiffe://<td>/zerosms/backend for the
// ZeroSMS backend.
func ServiceID(td spiffeid.TrustDomain, s routes.Service) spiffeid.ID {
	if s == routes.ZeroSMS {
		return spiffeid.RequireFromPath(td, "/zerosms/backend")
	}

	return spiffeid.RequireFromPath(td, "/financeapp/"+string(s))
}

// LoadOrCreateCA loads the dev CA kept in dir, or creates one there. The CA
// certificate (dir/ca.pem) is what curl and browsers trust in development.
func LoadOrCreateCA(dir string, td spiffeid.TrustDomain) (*devca.CA, error) {
	ca, err := devca.Load(dir, devca.Config{TrustDomain: td})
	if err == nil {
		return ca, nil
	}

	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("app: dev CA in %s: %w", dir, err)
	}

	ca, err = devca.New(devca.Config{TrustDomain: td})
	if err != nil {
		return nil, fmt.Errorf("app: dev CA: %w", err)
	}

	if err := ca.WriteFiles(dir); err != nil {
		return nil, fmt.Errorf("app: dev CA: %w", err)
	}

	return ca, nil
}

// EdgeCertificate issues the public service's certificate for browsers and
// curl: its SPIFFE ID plus the DNS names and addresses it is reached at.
func EdgeCertificate(ca *devca.CA, td spiffeid.TrustDomain, hosts []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: edge key: %w", err)
	}

	tmpl := ca.LeafTemplate(ServiceID(td, routes.Public), 30*24*time.Hour)
	tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: edge serial: %w", err)
	}

	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}

	cert, err := ca.SignCertificate(tmpl, key.Public())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("app: edge certificate: %w", err)
	}

	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}, nil
}

// CAFile returns where the dev CA certificate is written in a data folder.
func CAFile(dataDir string) string {
	return filepath.Join(dataDir, "ca", devca.CertFile)
}

func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("app: %w", err)
	}

	return nil
}
