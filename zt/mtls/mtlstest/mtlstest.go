// Package mtlstest helps test services that talk over mutual TLS with
// SPIFFE identities: a dev CA per test, SVID sources, certificates that a
// verifier must refuse, and an HTTPS server on loopback that serves with
// mtls.ServerConfig.
//
// The server is started with net.Listen and http.Server.ServeTLS rather
// than httptest.Server.StartTLS, which installs its own certificate and
// would shadow the SVID.
package mtlstest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
)

// NewCA returns a dev CA for the trust domain td (for example
// "example.org"), failing t when it cannot be created.
func NewCA(t testing.TB, td string, opts ...func(*devca.Config)) *devca.CA {
	t.Helper()

	cfg := devca.Config{TrustDomain: spiffeid.RequireTrustDomainFromString(td)}
	for _, opt := range opts {
		opt(&cfg)
	}

	ca, err := devca.New(cfg)
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	return ca
}

// NewSource returns a rotating source of SVIDs issued by ca for the path
// in ca's trust domain.
func NewSource(t testing.TB, ca *devca.CA, path string, opts ...devca.IssueOption) *devca.Source {
	t.Helper()

	id, err := spiffeid.FromPath(ca.TrustDomain(), path)
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	src, err := ca.Source(id, opts...)
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	return src
}

// StaticSource is a Source that always hands out the same SVID and
// verifies peers against the same bundles. Either may be nil.
type StaticSource struct {
	SVID    *x509svid.SVID
	Bundles x509bundle.Source
}

// GetX509SVID returns s.SVID, or an error when it is nil.
func (s *StaticSource) GetX509SVID() (*x509svid.SVID, error) {
	if s.SVID == nil {
		return nil, errors.New("mtlstest: no SVID")
	}

	return s.SVID, nil
}

// GetX509BundleForTrustDomain asks s.Bundles, or fails when it is nil.
func (s *StaticSource) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	if s.Bundles == nil {
		return nil, errors.New("mtlstest: no bundles")
	}

	return s.Bundles.GetX509BundleForTrustDomain(td)
}

// IssueWith issues a certificate from ca for id after mutate has changed
// the template that devca would sign, and returns it as an SVID with a
// fresh key. It is how tests build the malformed SVIDs a verifier must
// refuse: a CA as leaf, no URI SAN, an expired one.
func IssueWith(t testing.TB, ca *devca.CA, id spiffeid.ID, mutate func(*x509.Certificate)) *x509svid.SVID {
	t.Helper()

	key, err := devca.GenerateKey(devca.ECDSAP256)
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	tmpl := ca.LeafTemplate(id, time.Hour)
	if mutate != nil {
		mutate(tmpl)
	}

	cert, err := ca.SignCertificate(tmpl, key.Public())
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	return &x509svid.SVID{ID: id, Certificates: []*x509.Certificate{cert}, PrivateKey: key}
}

// Serve serves h over HTTPS on a loopback port with mtls.ServerConfig and
// returns its base URL ("https://127.0.0.1:port"). The server stops when
// the test ends.
func Serve(t testing.TB, h http.Handler, src mtls.Source, authz mtls.Authorizer, opts ...mtls.Option) string {
	t.Helper()

	return ServeConfig(t, h, mtls.ServerConfig(src, authz, opts...))
}

// ServeConfig serves h over HTTPS on a loopback port with cfg, which the
// test may have built or changed itself, and returns its base URL. The
// server stops when the test ends.
func ServeConfig(t testing.TB, h http.Handler, cfg *tls.Config) string {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mtlstest: %v", err)
	}

	srv := &http.Server{
		Handler:           h,
		TLSConfig:         cfg,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quietLog(),
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeTLS(ln, "", "")
	}()

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()

		_ = srv.Shutdown(ctx)
		<-done
	})

	return "https://" + ln.Addr().String()
}
