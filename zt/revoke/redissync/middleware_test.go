package redissync_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

type allowAll struct{}

func (allowAll) DecideAt(context.Context, string, *pep.Input) (zt.Decision, error) {
	return zt.Decision{Allow: true}, nil
}

// TestRevokedSessionDeniedOnEveryReplica runs three service replicas, each
// with its own verifier (and its cache of verified tokens), revocation list
// and Redis client; a session revoked through one is refused by all.
func TestRevokedSessionDeniedOnEveryReplica(t *testing.T) {
	const iss, aud = "https://issuer.example", "https://api.example"

	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	jwks := tokentest.NewJWKS(t, token.EdDSA)

	var servers []*httptest.Server
	var replicas []*replica

	for range 3 {
		r := startReplica(t, addr, prefix)
		waitUntil(t, "replica synced", r.rep.Synced)

		v, err := token.NewVerifier(context.Background(), token.VerifierConfig{
			Issuer: iss, Audience: []string{aud}, JWKSURL: jwks.URL, Revocation: r.list,
		})
		must(t, err)

		mw, err := middleware.New(middleware.Config{
			Verifier: v, Engine: allowAll{}, Revocation: r.list,
			Routes: map[string]middleware.Route{"GET /v1/me": {Action: "me.read"}},
		})
		must(t, err)

		mux := http.NewServeMux()
		mux.HandleFunc("GET /v1/me", func(http.ResponseWriter, *http.Request) {})

		srv := httptest.NewServer(mw.Handler(mux))
		t.Cleanup(srv.Close)

		servers = append(servers, srv)
		replicas = append(replicas, r)
	}

	claims := tokentest.Claims(iss, aud, 5*time.Minute)
	claims["sub"], claims["sid"] = "alice", "sess-e2e"
	raw := jwks.Sign(t, token.TypeAccessToken, claims)

	status := func(srv *httptest.Server) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+raw)

		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()

		return resp.StatusCode
	}

	for i, srv := range servers {
		if got := status(srv); got != http.StatusOK {
			t.Fatalf("replica %d before revocation: %d", i, got)
		}
	}

	must(t, replicas[1].rep.Revoke(context.Background(),
		revoke.Entry{Kind: revoke.Session, Value: "sess-e2e", Reason: "admin.logout"}))

	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " has the revocation"), func() bool {
			_, ok := r.list.Revoked(revoke.Session, "sess-e2e")
			return ok
		})

		if got := status(servers[i]); got != http.StatusUnauthorized {
			t.Fatalf("replica %d after revocation: %d, want 401", i, got)
		}
	}
}
