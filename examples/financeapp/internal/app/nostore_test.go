package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// TestPersonalAnswersAreNotCached: answers that carry a user's financial
// data, profile or CSRF token must say Cache-Control: no-store, so that no
// browser or proxy cache keeps them after sign-out (ASVS 8.2.1). Sign-in
// answers already do; the data routes do not.
func TestPersonalAnswersAreNotCached(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	e.createTx(a, "expense", "2026-01-02")

	for _, path := range []string{"/v1/transactions", "/v1/transactions/summary",
		"/v1/transactions/export", "/v1/me", "/v1/me/sessions", "/v1/grants"} {
		r := e.do("GET", path, a.token, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}

		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
		}
	}

	r := e.do("GET", "/api/session", "", nil)
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("GET /api/session (carries the CSRF token): Cache-Control %q, want no-store", cc)
	}
}
