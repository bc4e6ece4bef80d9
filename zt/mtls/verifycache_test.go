package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

// TestVerifiedChainNotReusedAfterBundleChange checks that a chain verified
// once is verified again, and refused, when its CA leaves the bundle.
func TestVerifiedChainNotReusedAfterBundleChange(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")
	client := mtlstest.NewSource(t, ca, "/web")

	bundle := x509bundle.FromX509Authorities(td, ca.Bundle().X509Authorities())
	cfg := mtls.ServerConfig(server, mtls.AuthorizeAny(), mtls.WithBundles(bundle))
	clientCfg := func() *tls.Config {
		return mtls.ClientConfig(client, mtls.AuthorizeID(serverID))
	}

	if srvErr, cliErr := handshake(t, cfg, clientCfg()); srvErr != nil || cliErr != nil {
		t.Fatalf("server: %v, client: %v", srvErr, cliErr)
	}

	other := mtlstest.NewCA(t, "example.org")
	bundle.SetX509Authorities(other.Bundle().X509Authorities())

	if srvErr, _ := handshake(t, cfg, clientCfg()); !errors.Is(srvErr, mtls.ErrUntrusted) {
		t.Fatalf("server: %v, want ErrUntrusted after the CA left the bundle", srvErr)
	}
}

// TestVerifiedChainNotReusedAfterCAExpiry checks that a cached chain stops
// verifying when a certificate above the leaf expires.
func TestVerifiedChainNotReusedAfterCAExpiry(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org", func(c *devca.Config) { c.CATTL = time.Hour })
	server := mtlstest.NewSource(t, ca, "/backend")
	client := &mtlstest.StaticSource{Bundles: ca, SVID: mtlstest.IssueWith(t, ca, webID,
		func(c *x509.Certificate) { c.NotAfter = time.Now().Add(3 * time.Hour) })}

	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	cfg := mtls.ServerConfig(server, mtls.AuthorizeAny(), mtls.WithClock(clock))

	srvErr, cliErr := handshake(t, cfg, mtls.ClientConfig(client, mtls.AuthorizeAny()))
	if srvErr != nil || cliErr != nil {
		t.Fatalf("server: %v, client: %v", srvErr, cliErr)
	}

	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()

	// The client's clock is real: it still accepts the server.
	srvErr, _ = handshake(t, cfg, mtls.ClientConfig(client, mtls.AuthorizeAny()))
	if !errors.Is(srvErr, mtls.ErrUntrusted) {
		t.Fatalf("server: %v, want ErrUntrusted once the CA expired", srvErr)
	}
}

// TestSessionNearPeerExpiryIsNotResumed checks that a session whose peer
// SVID expires within seconds is not resumed, so that the connection gets a
// full handshake with the rotated SVID rather than racing the expiry.
func TestSessionNearPeerExpiryIsNotResumed(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org", func(c *devca.Config) { c.SVIDTTL = 5 * time.Second })
	server := mtlstest.NewSource(t, ca, "/backend")
	client := mtlstest.NewSource(t, ca, "/web")

	cache := tls.NewLRUClientSessionCache(0)
	cfg := mtls.ServerConfig(server, mtls.AuthorizeAny())
	for i := range 2 {
		clientCfg := mtls.ClientConfig(client, mtls.AuthorizeAny(), mtls.WithSessionCache(cache))
		clientCfg.VerifyConnection = wrapVerify(t, clientCfg.VerifyConnection, i)

		if srvErr, cliErr := handshake(t, cfg, clientCfg); srvErr != nil || cliErr != nil {
			t.Fatalf("handshake %d: server: %v, client: %v", i, srvErr, cliErr)
		}
	}
}

func wrapVerify(t *testing.T, next func(tls.ConnectionState) error, i int) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if cs.DidResume {
			t.Errorf("handshake %d resumed a session whose peer expires within seconds", i)
		}
		return next(cs)
	}
}
