package app_test

import (
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// TestWalkthroughConformsToOpenAPI walks the platform as a client would,
// every route of the document, and checks each request and response
// against it.
func TestWalkthroughConformsToOpenAPI(t *testing.T) {
	e := start(t)
	e.client.Transport = newValidating(t, e.client.Transport, e.p.PublicURL())

	want := func(r answer, status int) answer {
		t.Helper()

		if r.status != status {
			t.Fatalf("got %d %s, want %d", r.status, r.body, status)
		}

		return r
	}

	want(e.do("GET", "/healthz", "", nil), 200)
	want(e.do("GET", "/.well-known/jwks.json", "", nil), 200)

	admin := e.login(e.admin.Email, e.admin.Password)
	a := e.signUp("alice", domain.RoleUser)
	aud := e.signUp("auditor", domain.RoleAuditor)
	pending := e.signUp("pending", "")

	want(e.do("GET", "/v1/admin/users?status=pending", admin.token, nil), 200)
	want(e.do("POST", "/v1/admin/users/"+pending.id+"/reject", admin.token, nil), 200)
	want(e.do("GET", "/v1/admin/session-log?user_id="+a.id+"&limit=10", admin.token, nil), 200)

	txID := e.createTx(a, "investment", "2026-03-01")
	e.createTx(a, "expense", "2026-03-02")
	want(e.do("GET", "/v1/transactions?category=investment&from=2026-01-01&to=2026-12-31&limit=1",
		a.token, nil), 200)
	want(e.do("GET", "/v1/transactions/"+txID, a.token, nil), 200)
	want(e.do("PUT", "/v1/transactions/"+txID, a.token, txBody(5000, "saving", "2026-03-01")), 200)
	want(e.do("GET", "/v1/transactions/summary", a.token, nil), 200)
	want(e.do("GET", "/v1/transactions/export", a.token, nil), 200)
	want(e.do("GET", "/v1/transactions/"+store.NewID(), a.token, nil), 404)
	want(e.do("GET", "/v1/auditors", a.token, nil), 200)

	g := e.grant(a, aud.id, map[string]any{"scope": "all"})
	want(e.do("GET", "/v1/grants", a.token, nil), 200)
	want(e.do("GET", "/v1/auditor/grants", aud.token, nil), 200)
	want(e.do("GET", "/v1/auditor/transactions?owner_id="+a.id, aud.token, nil), 200)
	want(e.do("DELETE", "/v1/grants/"+g, a.token, nil), 204)
	want(e.do("GET", "/v1/auditor/transactions", aud.token, nil), 200)

	d1 := e.ingestDraft(t, a, "sms-1")
	d2 := e.ingestDraft(t, a, "sms-2")
	want(e.do("GET", "/v1/drafts?status=pending", a.token, nil), 200)
	want(e.do("POST", "/v1/drafts/"+d1+"/confirm", a.token, nil), 201)
	want(e.do("POST", "/v1/drafts/"+d2+"/discard", a.token, nil), 204)

	want(e.do("GET", "/v1/me", a.token, nil), 200)
	want(e.do("PATCH", "/v1/me", a.token, map[string]string{"display_name": "Alice A."}), 200)
	want(e.do("POST", "/v1/me/totp", a.token, nil), 200)
	want(e.do("POST", "/v1/me/totp/confirm", a.token, map[string]string{"code": "123456"}), 400)
	want(e.do("GET", "/v1/me/sessions", a.token, nil), 200)
	want(e.do("DELETE", "/v1/transactions/"+txID, a.token, nil), 204)

	want(e.do("POST", "/v1/auth/step-up", a.token, map[string]string{"password": a.pw}), 200)
	want(e.do("POST", "/v1/admin/users/"+aud.id+"/sessions/revoke", admin.token, nil), 200)
	want(e.do("GET", "/v1/auditor/grants", aud.token, nil), 401)
	want(e.do("POST", "/v1/auth/logout", a.token, nil), 204)
	want(e.do("GET", "/v1/me", a.token, nil), 401)
	want(e.do("GET", "/v1/me", "", nil), 401)
	want(e.do("GET", "/v1/admin/users", admin.token, nil), 200)

	b := e.signUp("bob", domain.RoleUser)
	want(e.do("GET", "/v1/admin/users", b.token, nil), 403)
	auditTrail(t, e, admin, b.id)
	want(e.do("DELETE", "/v1/admin/users/"+b.id, admin.token, nil), 204)
	want(e.do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": "nope"}), 401)

}

// auditTrail checks that the admin's audit trail holds the user's requests,
// allowed and denied, once the pipeline has written them.
func auditTrail(t *testing.T, e *env, admin account, user string) {
	t.Helper()

	eventually(t, func() (int, bool) {
		r := e.do("GET", "/v1/admin/audit?actor="+user+"&decision=deny&limit=50", admin.token, nil)
		if r.status != 200 {
			t.Fatalf("audit: %d %s", r.status, r.body)
		}

		var out struct {
			Items []store.AuditEvent `json:"items"`
		}
		r.decode(t, &out)

		return len(out.Items), len(out.Items) > 0
	})
}
