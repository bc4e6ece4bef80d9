package middleware_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
	"github.com/ztkit/ztkit/zt/pep"
)

// TestMTLSPeerIdentity serves the middleware over a real mTLS handshake:
// the peer's SPIFFE ID becomes the principal's workload, which the example
// policy lets read transactions, and another workload is denied.
func TestMTLSPeerIdentity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	engine, err := pep.New(ctx, pep.Config{Policies: examplePolicy(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()

	m, err := middleware.New(middleware.Config{
		Verifier: f.verifier, Engine: engine, Audit: f.events,
		Routes: map[string]middleware.Route{
			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/transactions/{id}", handler)

	ca := mtlstest.NewCA(t, "ztkit.test")
	server := mtlstest.NewSource(t, ca, "/financeapp/backend")
	url := mtlstest.Serve(t, m.Handler(mux), server, mtls.AuthorizeAny())

	tests := []struct {
		path   string
		status int
	}{
		{"/financeapp/user", 200},
		{"/financeapp/other", 403},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			client := mtls.NewClient(mtlstest.NewSource(t, ca, tt.path), mtls.AuthorizeAny())
			defer client.CloseIdleConnections()
			resp, err := client.Get(url + "/v1/transactions/t1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if e := f.events.last(); !strings.HasSuffix(e.Actor.Workload, tt.path) {
				t.Errorf("audit actor %+v", e.Actor)
			}
		})
	}
}

// TestPeerIdentityIsStrict serves the middleware behind a TLS server that
// verifies client chains but not the X.509-SVID rules, as a loose proxy
// would: the middleware's default extractor still refuses leaves that
// go-spiffe's own parser accepts.
func TestPeerIdentityIsStrict(t *testing.T) {
	f := newFixture(t)
	m, err := middleware.New(middleware.Config{
		Verifier: f.verifier, Engine: f.engine, Audit: f.events,
		Routes: map[string]middleware.Route{
			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/transactions/{id}", handler)

	ca := mtlstest.NewCA(t, "ztkit.test")
	cfg := mtls.ServerConfig(mtlstest.NewSource(t, ca, "/financeapp/backend"), mtls.AuthorizeAny())
	pool := x509.NewCertPool()
	pool.AddCert(ca.Certificate())
	cfg.VerifyConnection, cfg.VerifyPeerCertificate = nil, nil
	cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, pool
	url := mtlstest.ServeConfig(t, m.Handler(mux), cfg)

	id := spiffeid.RequireFromString("spiffe://ztkit.test/financeapp/user")
	tests := map[string]func(*x509.Certificate){
		"no digitalSignature": func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyAgreement },
		"CRL signing leaf":    func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCRLSign },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			svid := mtlstest.IssueWith(t, ca, id, mutate)
			if _, err := x509svid.IDFromCert(svid.Certificates[0]); err != nil {
				t.Fatalf("go-spiffe refuses it too, the case shows nothing: %v", err)
			}
			src := &mtlstest.StaticSource{SVID: svid, Bundles: ca}
			client := mtls.NewClient(src, mtls.AuthorizeAny())
			defer client.CloseIdleConnections()
			resp, err := client.Get(url + "/v1/transactions/t1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", resp.StatusCode)
			}
			if e := f.events.last(); !hasReason(e, middleware.ReasonInvalidPeer) {
				t.Errorf("audit event %+v lacks %s", e, middleware.ReasonInvalidPeer)
			}
		})
	}
}
