package mtls_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

var (
	td       = spiffeid.RequireTrustDomainFromString("example.org")
	webID    = spiffeid.RequireFromPath(td, "/web")
	serverID = spiffeid.RequireFromPath(td, "/backend")
)

// handshake runs one TLS handshake between a server and a client config
// over loopback and returns what each side saw. The client reads one byte
// after its handshake, because in TLS 1.3 the client finishes before the
// server has checked the client's certificate.
func handshake(t *testing.T, server, client *tls.Config) (serverErr, clientErr error) {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	errc := make(chan error, 1)
	go func() {
		errc <- serveOne(ctx, ln, server)
	}()

	clientErr = dialOne(ctx, ln.Addr().String(), client)

	return <-errc, clientErr
}

func serveOne(ctx context.Context, ln net.Listener, cfg *tls.Config) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()

	tc := tls.Server(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return err
	}

	_, err = tc.Write([]byte("k"))
	return err
}

func dialOne(ctx context.Context, addr string, cfg *tls.Config) error {
	d := tls.Dialer{Config: cfg}

	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()

	_, err = io.ReadFull(conn, make([]byte, 1))
	return err
}

func TestHandshakeAllowsValidPeers(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")
	client := mtlstest.NewSource(t, ca, "/web")

	srvErr, cliErr := handshake(t,
		mtls.ServerConfig(server, mtls.AuthorizeID(webID)),
		mtls.ClientConfig(client, mtls.AuthorizeID(serverID)))
	if srvErr != nil || cliErr != nil {
		t.Fatalf("server: %v, client: %v", srvErr, cliErr)
	}
}

func TestHandshakeWithEd25519SVIDs(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org", func(c *devca.Config) {
		c.KeyAlgorithm = devca.Ed25519
	})
	server := mtlstest.NewSource(t, ca, "/backend")
	client := mtlstest.NewSource(t, ca, "/web")

	srvErr, cliErr := handshake(t,
		mtls.ServerConfig(server, mtls.AuthorizeID(webID)),
		mtls.ClientConfig(client, mtls.AuthorizeID(serverID)))
	if srvErr != nil || cliErr != nil {
		t.Fatalf("server: %v, client: %v", srvErr, cliErr)
	}
}

// refusal is a client that the server must refuse, and why.
type refusal struct {
	name   string
	client func(t *testing.T, ca *devca.CA) mtls.Source
	authz  mtls.Authorizer
	opts   []mtls.Option
	want   []error
}

func badClient(mutate func(*x509.Certificate)) func(*testing.T, *devca.CA) mtls.Source {
	return func(t *testing.T, ca *devca.CA) mtls.Source {
		return &mtlstest.StaticSource{
			SVID:    mtlstest.IssueWith(t, ca, webID, mutate),
			Bundles: ca,
		}
	}
}

func withURIs(raw ...string) func(*x509.Certificate) {
	return func(c *x509.Certificate) {
		c.URIs = nil
		for _, r := range raw {
			c.URIs = append(c.URIs, rawURI(r))
		}
	}
}

// rawURI builds a URL whose String is exactly raw, so that a certificate
// carries bytes that url.Parse would have normalized.
func rawURI(raw string) *url.URL {
	scheme, rest, _ := strings.Cut(raw, "://")
	host, path, _ := strings.Cut(rest, "/")
	u := &url.URL{Scheme: scheme, Host: host, Path: "/" + path}
	if strings.Contains(path, "%") {
		u.Path, _ = url.PathUnescape(u.Path)
		u.RawPath = "/" + path
	}

	return u
}

func revokedFor(id spiffeid.ID) zt.RevocationChecker {
	return zt.RevocationCheckerFunc(func(_ context.Context, p *zt.Principal) error {
		if p.Workload != nil && p.Workload.ID == id.String() {
			return zt.NewError(zt.ErrRevoked, "", zt.ReasonRevoked, errors.New("quarantined"))
		}
		return nil
	})
}

func refusals() []refusal {
	otherCA := func(td string) func(*testing.T, *devca.CA) mtls.Source {
		return func(t *testing.T, ca *devca.CA) mtls.Source {
			other := mtlstest.NewCA(t, td)
			svid, err := other.Issue(spiffeid.RequireFromPath(other.TrustDomain(), "/web"))
			if err != nil {
				t.Fatal(err)
			}
			// The client trusts the server; the server must not trust it.
			return &mtlstest.StaticSource{SVID: svid, Bundles: ca}
		}
	}
	valid := func(t *testing.T, ca *devca.CA) mtls.Source {
		return mtlstest.NewSource(t, ca, "/web")
	}
	broken := zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error {
		return errors.New("revocation store down")
	})
	long := "spiffe://example.org/" + strings.Repeat("a", mtls.MaxIDLength)

	return []refusal{
		{name: "wrong trust domain", client: otherCA("other.org"),
			want: []error{zt.ErrUnauthenticated, mtls.ErrUntrusted}},
		{name: "unknown CA", client: otherCA("example.org"),
			want: []error{zt.ErrUnauthenticated, mtls.ErrUntrusted}},
		{name: "expired", client: badClient(func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
		}), want: []error{zt.ErrUnauthenticated, mtls.ErrExpired}},
		{name: "not yet valid", client: badClient(func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
		}), want: []error{zt.ErrUnauthenticated, mtls.ErrNotYetValid}},
		{name: "CA as leaf", client: badClient(func(c *x509.Certificate) {
			c.IsCA = true
			c.KeyUsage |= x509.KeyUsageCertSign
		}), want: []error{zt.ErrUnauthenticated, mtls.ErrInvalidSVID}},
		{name: "no digitalSignature key usage", client: badClient(func(c *x509.Certificate) {
			c.KeyUsage = x509.KeyUsageKeyAgreement
		}), want: []error{mtls.ErrInvalidSVID}},
		{name: "no URI SAN", client: badClient(withURIs()),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "two URI SANs", client: badClient(withURIs(
			"spiffe://example.org/web", "spiffe://example.org/admin")),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "ID without path", client: badClient(withURIs("spiffe://example.org")),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "percent-encoded path", client: badClient(withURIs("spiffe://example.org/%61dmin")),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "upper-case trust domain", client: badClient(withURIs("spiffe://EXAMPLE.org/web")),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "upper-case scheme", client: badClient(withURIs("SPIFFE://example.org/web")),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "ID too long", client: badClient(withURIs(long)),
			want: []error{mtls.ErrInvalidSVID}},
		{name: "wrong path", client: valid,
			authz: mtls.AuthorizePathPrefix(td, "/admin"),
			want:  []error{zt.ErrForbidden, mtls.ErrNotAuthorized}},
		{name: "nil authorizer", client: valid, authz: nil,
			want: []error{zt.ErrForbidden, mtls.ErrNotAuthorized}},
		{name: "quarantined ID", client: valid,
			opts: []mtls.Option{mtls.WithQuarantine(revokedFor(webID))},
			want: []error{zt.ErrRevoked, mtls.ErrQuarantined}},
		{name: "quarantine state unknown", client: valid,
			opts: []mtls.Option{mtls.WithQuarantine(broken)},
			want: []error{zt.ErrUnavailable}},
	}
}

func TestServerRefusesClient(t *testing.T) {
	for _, tc := range refusals() {
		t.Run(tc.name, func(t *testing.T) {
			ca := mtlstest.NewCA(t, "example.org")
			server := mtlstest.NewSource(t, ca, "/backend")

			authz := tc.authz
			if authz == nil && tc.name != "nil authorizer" {
				authz = mtls.AuthorizeMemberOf(td)
			}

			srvErr, cliErr := handshake(t,
				mtls.ServerConfig(server, authz, tc.opts...),
				mtls.ClientConfig(tc.client(t, ca), mtls.AuthorizeID(serverID)))

			if cliErr == nil {
				t.Error("client: connection accepted, want refused")
			}
			for _, want := range tc.want {
				if !errors.Is(srvErr, want) {
					t.Errorf("server: %v, want an error matching %v", srvErr, want)
				}
			}
		})
	}
}

func TestServerRefusesClientWithoutCertificate(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")

	client := mtls.ClientConfig(server, mtls.AuthorizeID(serverID))
	client.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return &tls.Certificate{}, nil
	}

	srvErr, cliErr := handshake(t, mtls.ServerConfig(server, mtls.AuthorizeAny()), client)
	if srvErr == nil || cliErr == nil {
		t.Fatalf("server: %v, client: %v; want both refused", srvErr, cliErr)
	}
	if !strings.Contains(srvErr.Error(), "certificate") {
		t.Errorf("server: %v, want a missing certificate error", srvErr)
	}
}

func TestClientRefusesServer(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	client := mtlstest.NewSource(t, ca, "/web")

	tests := []struct {
		name   string
		server mtls.Source
		want   error
	}{
		{"wrong ID", mtlstest.NewSource(t, ca, "/impostor"), mtls.ErrNotAuthorized},
		{"unknown CA", mtlstest.NewSource(t, mtlstest.NewCA(t, "example.org"), "/backend"),
			mtls.ErrUntrusted},
		{"expired", &mtlstest.StaticSource{Bundles: ca, SVID: mtlstest.IssueWith(t, ca, serverID,
			func(c *x509.Certificate) { c.NotAfter = time.Now().Add(-time.Minute) })},
			mtls.ErrExpired},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, cliErr := handshake(t,
				mtls.ServerConfig(tc.server, mtls.AuthorizeAny()),
				mtls.ClientConfig(client, mtls.AuthorizeID(serverID)))
			if !errors.Is(cliErr, tc.want) {
				t.Fatalf("client: %v, want %v", cliErr, tc.want)
			}
		})
	}
}

// TestClientRefusesWebPKIServer shows that InsecureSkipVerify, which the
// client config sets to skip Go's host name checks, does not let a server
// with an ordinary certificate through: VerifyConnection fails closed.
func TestClientRefusesWebPKIServer(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	client := mtlstest.NewSource(t, ca, "/web")

	web := mtlstest.IssueWith(t, ca, serverID, func(c *x509.Certificate) {
		c.URIs = nil
		c.DNSNames = []string{"localhost"}
	})
	server := &tls.Config{
		Certificates: []tls.Certificate{{
			Certificate: [][]byte{web.Certificates[0].Raw},
			PrivateKey:  web.PrivateKey,
		}},
	}

	_, cliErr := handshake(t, server, mtls.ClientConfig(client, mtls.AuthorizeAny()))
	if !errors.Is(cliErr, mtls.ErrInvalidSVID) {
		t.Fatalf("client: %v, want %v", cliErr, mtls.ErrInvalidSVID)
	}
}

func TestHardenServerConfigKeepsUnrelatedSettings(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")

	called := false
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2"},
		Certificates: []tls.Certificate{{}},
		VerifyConnection: func(tls.ConnectionState) error {
			called = true
			return nil
		},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return &tls.Config{}, nil // would skip every check
		},
	}
	mtls.HardenServerConfig(cfg, server, mtls.AuthorizeAny())

	if cfg.MinVersion != tls.VersionTLS13 || cfg.Certificates != nil || cfg.GetConfigForClient != nil ||
		cfg.ClientAuth != tls.RequireAnyClientCert || len(cfg.NextProtos) != 1 {
		t.Fatalf("hardened config: %+v", cfg)
	}

	srvErr, cliErr := handshake(t, cfg,
		mtls.ClientConfig(mtlstest.NewSource(t, ca, "/web"), mtls.AuthorizeID(serverID)))
	if srvErr != nil || cliErr != nil || !called {
		t.Fatalf("server: %v, client: %v, own VerifyConnection called: %v", srvErr, cliErr, called)
	}
}
