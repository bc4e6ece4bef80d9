package devca

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// Names of the files that WriteFiles and Load use in a CA folder.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// WriteFiles writes the CA certificate (CertFile) and its private key
// (KeyFile, PKCS #8, mode 0600) into dir, creating dir with mode 0700 when
// it does not exist. It refuses to overwrite an existing key.
func (ca *CA) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("devca: marshal key: %w", err)
	}

	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := writeNew(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return err
	}

	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
	return os.WriteFile(filepath.Join(dir, CertFile), certPEM, 0o644)
}

func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("devca: %w", err)
	}

	return f.Close()
}

// Load reads a CA that WriteFiles wrote into dir. cfg.TrustDomain may be
// left zero: it is then taken from the CA certificate.
func Load(dir string, cfg Config) (*CA, error) {
	cert, err := readCert(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, err
	}

	key, err := readKey(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, err
	}

	if cfg.TrustDomain.IsZero() {
		id, err := x509svid.IDFromCert(cert)
		if err != nil {
			return nil, fmt.Errorf("devca: %s: %w", CertFile, err)
		}
		cfg.TrustDomain = id.TrustDomain()
	}

	return NewFromKey(cfg, cert, key)
}

func readCert(path string) (*x509.Certificate, error) {
	block, err := readPEM(path, "CERTIFICATE")
	if err != nil {
		return nil, err
	}

	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devca: %s: %w", path, err)
	}

	return cert, nil
}

func readKey(path string) (crypto.Signer, error) {
	block, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}

	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devca: %s: %w", path, err)
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("devca: %s: the key cannot sign", path)
	}

	return signer, nil
}

func readPEM(path, blockType string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devca: %w", err)
	}

	block, _ := pem.Decode(data)
	if block == nil || block.Type != blockType {
		return nil, fmt.Errorf("devca: %s: %w", path, errNoPEM(blockType))
	}

	return block, nil
}

func errNoPEM(blockType string) error {
	return errors.New("no PEM block of type " + blockType)
}

// WriteSVID writes an SVID's certificate chain and private key (PKCS #8,
// mode 0600) as PEM files, and the CA bundle as a third file when bundlePath
// is not empty: the layout that mtls.FileSource reads.
func (ca *CA) WriteSVID(svid *x509svid.SVID, certPath, keyPath, bundlePath string) error {
	certPEM, keyPEM, err := svid.Marshal()
	if err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	if err := writeFile(keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFile(certPath, certPEM, 0o644); err != nil {
		return err
	}
	if bundlePath == "" {
		return nil
	}

	bundlePEM, err := ca.bundle.Marshal()
	if err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	return writeFile(bundlePath, bundlePEM, 0o644)
}

// writeFile replaces path atomically, so that a watcher never reads half a
// file.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".devca-*")
	if err != nil {
		return fmt.Errorf("devca: %w", err)
	}
	defer os.Remove(tmp.Name())

	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("devca: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("devca: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("devca: %w", err)
	}

	return nil
}
