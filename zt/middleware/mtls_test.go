package middleware_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

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
