package chain_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// allowAll decides every request allowed, standing in for a policy.
type allowAll struct{}

func (allowAll) DecideAt(context.Context, string, *pep.Input) (zt.Decision, error) {
	return zt.Decision{ID: "dec-1", Allow: true, Reasons: []string{zt.ReasonAllowed}, Revision: "rev-1"}, nil
}

// TestMiddlewareRequestIsChained sends a request through the middleware with
// the chain behind an audit pipeline, and verifies the resulting trail.
func TestMiddlewareRequestIsChained(t *testing.T) {
	const iss, aud = "https://issuer.example", "https://api.example"

	jwks := tokentest.NewJWKS(t, token.EdDSA)
	v, err := token.NewVerifier(context.Background(), token.VerifierConfig{
		Issuer: iss, Audience: []string{aud}, JWKSURL: jwks.URL,
	})
	must(t, err)

	dir := t.TempDir()
	pub, priv := newKey(t)
	w, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv})
	must(t, err)

	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{{Name: "chain", Sink: w}}})
	must(t, err)

	mw, err := middleware.New(middleware.Config{
		Verifier: v, Engine: allowAll{}, Audit: p,
		Routes: map[string]middleware.Route{
			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		},
	})
	must(t, err)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/transactions/{id}", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(mw.Handler(mux))
	defer srv.Close()

	claims := tokentest.Claims(iss, aud, 5*time.Minute)
	claims["sub"], claims["sid"] = "alice", "sess-1"
	raw := jwks.Sign(t, token.TypeAccessToken, claims)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/transactions/t-42", nil)
	req.Header.Set("Authorization", "Bearer "+raw)

	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}

	must(t, p.Close(context.Background()))
	must(t, w.Close(context.Background()))

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	must(t, err)

	if rep.Events != 1 {
		t.Fatalf("%d events in the trail, want 1", rep.Events)
	}

	files, err := chain.Files(dir)
	must(t, err)

	data, err := os.ReadFile(files[0])
	must(t, err)

	for _, want := range []string{
		`"user":"alice"`, `"session":"sess-1"`, `"action":"transactions.read"`, `"decision":"allow"`,
	} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("trail lacks %s", want)
		}
	}

	if strings.Contains(string(data), raw) {
		t.Fatal("the bearer token reached the trail")
	}
}
