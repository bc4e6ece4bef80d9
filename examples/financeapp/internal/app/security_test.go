package app_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/zt/mtls"
)

func (e *env) auditorList(a account, query string) []domain.Transaction {
	e.t.Helper()

	r := e.do("GET", "/v1/auditor/transactions?limit=500"+query, a.token, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("auditor list: %d %s", r.status, r.body)
	}

	var p store.Page
	r.decode(e.t, &p)

	return p.Items
}

// TestAuditorSeesExactlyTheGrantedScope guards against the original
// project's hole where any auditor could read everyone's transactions.
func TestAuditorSeesExactlyTheGrantedScope(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	b := e.signUp("bob", domain.RoleUser)
	byCat := e.signUp("by-category", domain.RoleAuditor)
	byDate := e.signUp("by-date", domain.RoleAuditor)
	none := e.signUp("no-grant", domain.RoleAuditor)

	for i, cat := range []string{"expense", "saving", "investment", "investment"} {
		e.createTx(a, cat, []string{"2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10"}[i])
		e.createTx(b, cat, "2026-03-10")
	}

	e.grant(a, byCat.id, map[string]any{"scope": "categories", "categories": []string{"investment"}})
	g := e.grant(a, byDate.id, map[string]any{"scope": "date_range",
		"date_from": "2026-02-01", "date_to": "2026-03-31"})

	got := e.auditorList(byCat, "")
	if len(got) != 2 {
		t.Fatalf("category grant shows %d rows, want 2", len(got))
	}

	for _, tx := range got {
		if tx.OwnerID != a.id || tx.Category != domain.CategoryInvestment {
			t.Fatalf("category grant leaked %+v", tx)
		}
	}

	got = e.auditorList(byDate, "")
	if len(got) != 2 {
		t.Fatalf("date grant shows %d rows, want 2", len(got))
	}

	for _, tx := range got {
		if tx.OwnerID != a.id || tx.Date < "2026-02-01" || tx.Date > "2026-03-31" {
			t.Fatalf("date grant leaked %+v", tx)
		}
	}

	if got := e.auditorList(none, ""); len(got) != 0 {
		t.Fatalf("an auditor without a grant sees %d rows", len(got))
	}

	if got := e.auditorList(byCat, "&owner_id="+b.id); len(got) != 0 {
		t.Fatalf("narrowing to another owner shows %d rows", len(got))
	}

	if got := e.auditorList(byCat, "&category=expense"); len(got) != 0 {
		t.Fatalf("a query filter widened the grant: %d rows", len(got))
	}

	if r := e.do("DELETE", "/v1/grants/"+g, a.token, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d", r.status)
	}

	if got := e.auditorList(byDate, ""); len(got) != 0 {
		t.Fatalf("after revoke the auditor still sees %d rows", len(got))
	}

	for _, path := range []string{"/v1/transactions", "/v1/transactions/summary",
		"/v1/transactions/export"} {
		if r := e.do("GET", path, byCat.token, nil); r.status != http.StatusForbidden {
			t.Fatalf("auditor GET %s: %d, want 403", path, r.status)
		}
	}
}

// TestAuditorCannotGrantItself guards against the original project's hole
// where an auditor could grant itself access.
func TestAuditorCannotGrantItself(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	aud := e.signUp("auditor", domain.RoleAuditor)
	body := map[string]any{"auditor_id": aud.id, "scope": "all",
		"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}

	if r := e.do("POST", "/v1/grants", aud.token, body); r.status != http.StatusForbidden {
		t.Fatalf("auditor creates a grant: %d %s", r.status, r.body)
	}

	// Straight to the backend, as the auditor service: still refused.
	c := e.workloadClient(routes.Auditor, routes.Backend)
	r := doWith(t, c, e.serviceURL(routes.Backend), "POST", "/v1/grants", aud.token, body)
	if r.status != http.StatusForbidden {
		t.Fatalf("auditor service creates a grant at the backend: %d %s", r.status, r.body)
	}

	// The user service's identity with the auditor's token: refused by role.
	c = e.workloadClient(routes.User, routes.Backend)
	r = doWith(t, c, e.serviceURL(routes.Backend), "POST", "/v1/grants", aud.token, body)
	if r.status != http.StatusForbidden {
		t.Fatalf("auditor token via the user workload: %d %s", r.status, r.body)
	}

	self := map[string]any{"auditor_id": a.id, "scope": "all", "expires_at": body["expires_at"]}
	if r := e.do("POST", "/v1/grants", a.token, self); r.status != http.StatusBadRequest {
		t.Fatalf("grant to oneself: %d", r.status)
	}

	b := e.signUp("bob", domain.RoleUser)
	toUser := map[string]any{"auditor_id": b.id, "scope": "all", "expires_at": body["expires_at"]}
	if r := e.do("POST", "/v1/grants", a.token, toUser); r.status != http.StatusConflict {
		t.Fatalf("grant to a non-auditor: %d", r.status)
	}

	if got := e.auditorList(aud, ""); len(got) != 0 {
		t.Fatalf("the auditor sees %d rows after the attempts", len(got))
	}
}

func TestRoleChangeTakesEffectOnNextRequest(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	admin := e.login(e.admin.Email, e.admin.Password)

	if r := e.do("GET", "/v1/transactions", a.token, nil); r.status != http.StatusOK {
		t.Fatalf("before: %d", r.status)
	}

	if r := e.do("PUT", "/v1/admin/users/"+a.id+"/role", admin.token,
		map[string]string{"role": "auditor"}); r.status != http.StatusOK {
		t.Fatalf("set role: %d %s", r.status, r.body)
	}

	if r := e.do("GET", "/v1/transactions", a.token, nil); r.status != http.StatusForbidden {
		t.Fatalf("same token after the role change: %d, want 403", r.status)
	}

	if r := e.do("DELETE", "/v1/admin/users/"+a.id, admin.token, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}

	if r := e.do("GET", "/v1/me", a.token, nil); r.status != http.StatusUnauthorized &&
		r.status != http.StatusForbidden {
		t.Fatalf("deleted user's token: %d", r.status)
	}
}

func TestWrongWorkloadIsRefused(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	// The auditor service may not even connect to the user service.
	c := e.workloadClient(routes.Auditor, routes.User)
	if _, err := c.Get(e.serviceURL(routes.User) + "/v1/transactions"); err == nil {
		t.Fatal("the user service accepted a connection from the auditor service")
	}

	// The public service may connect to the backend, but not list
	// transactions there: that is the user service's route.
	c = e.workloadClient(routes.Public, routes.Backend)
	r := doWith(t, c, e.serviceURL(routes.Backend), "GET", "/v1/transactions", a.token, nil)
	if r.status != http.StatusForbidden {
		t.Fatalf("public lists transactions at the backend: %d", r.status)
	}

	// An identity the backend does not know, from the same CA.
	evil, err := e.p.CA().Source(spiffeid.RequireFromPath(e.p.TrustDomain(), "/financeapp/evil"))
	if err != nil {
		t.Fatal(err)
	}

	c = mtls.NewClient(evil, mtls.AuthorizeID(app.ServiceID(e.p.TrustDomain(), routes.Backend)))
	if _, err := c.Get(e.serviceURL(routes.Backend) + "/v1/transactions"); err == nil {
		t.Fatal("the backend accepted an unknown workload")
	}

	// A client without any certificate.
	plain := &http.Client{Transport: &http.Transport{
		TLSClientConfig: e.client.Transport.(*http.Transport).TLSClientConfig.Clone()}}
	if _, err := plain.Get(e.serviceURL(routes.Backend) + "/v1/transactions"); err == nil {
		t.Fatal("the backend accepted a client without a certificate")
	}
}

func TestStepUp(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	aud := e.signUp("auditor", domain.RoleAuditor)
	stale := e.login(a.email, a.pw)
	stale.token = mustIssueSession(t, e, a.id, stale.sid, time.Now().Add(-time.Hour))
	body := map[string]any{"auditor_id": aud.id, "scope": "all",
		"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}

	r := e.do("POST", "/v1/grants", stale.token, body)
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Fatalf("stale sign-in shares: %d %v", r.status, r.header)
	}

	r = e.do("POST", "/v1/auth/step-up", stale.token, map[string]string{"password": "wrong"})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("step-up with a wrong password: %d", r.status)
	}

	r = e.do("POST", "/v1/auth/step-up", stale.token, map[string]string{"password": a.pw})
	if r.status != http.StatusOK {
		t.Fatalf("step-up: %d %s", r.status, r.body)
	}

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(t, &tok)

	if r := e.do("POST", "/v1/grants", tok.AccessToken, body); r.status != http.StatusCreated {
		t.Fatalf("share after step-up: %d %s", r.status, r.body)
	}
}

func mustIssueSession(t *testing.T, e *env, uid, sid string, authTime time.Time) string {
	tok, err := e.p.IssueForTest(context.Background(), uid, sid, authTime, "pwd")
	if err != nil {
		t.Fatal(err)
	}

	return tok
}

func TestSignInFlows(t *testing.T) {
	e := start(t)
	p := e.signUp("pending", "")

	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": p.email, "password": p.pw})
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "account_pending") {
		t.Fatalf("pending sign-in: %d %s", r.status, r.body)
	}

	a := e.signUp("alice", domain.RoleUser)

	r = e.do("POST", "/v1/auth/login", "", map[string]string{"email": "nobody@example.test",
		"password": "whatever password"})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("unknown email: %d", r.status)
	}

	duplicateSignUp(t, e, a)

	refreshFlow(t, e, a)
	lockoutFlow(t, e, a)
}

// duplicateSignUp: signing up with a registered email answers like a new
// sign-up (202, a pending user), so that sign-up reveals no account, and
// changes nothing: the account keeps its password and role.
func duplicateSignUp(t *testing.T, e *env, a account) {
	t.Helper()

	answers := map[string]answer{}
	for _, email := range []string{a.email, "newcomer@example.test"} {
		answers[email] = e.do("POST", "/v1/auth/register", "", map[string]string{
			"email": email, "password": "another long password", "display_name": "dup"})
	}

	var shapes []string
	for email, r := range answers {
		var u map[string]any
		r.decode(t, &u)

		if r.status != http.StatusAccepted || u["status"] != string(domain.StatusPending) ||
			u["email"] != email || u["id"] == a.id {
			t.Fatalf("sign-up of %s: %d %s, want 202 with a new pending user", email,
				r.status, r.body)
		}

		shapes = append(shapes, strings.Join(slices.Sorted(maps.Keys(u)), ","))
	}

	if shapes[0] != shapes[1] {
		t.Fatalf("sign-up answers differ in shape: %v", shapes)
	}

	if r := e.do("GET", "/v1/me", e.login(a.email, a.pw).token, nil); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"role":"`+string(a.role)+`"`) {
		t.Fatalf("the account after a duplicate sign-up: %d %s", r.status, r.body)
	}
}

func refreshFlow(t *testing.T, e *env, a account) {
	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email, "password": a.pw})

	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	r.decode(t, &tok)

	r = e.do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
	if r.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}

	var next struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(t, &next)

	if r := e.do("GET", "/v1/me", next.AccessToken, nil); r.status != http.StatusOK {
		t.Fatalf("refreshed token: %d", r.status)
	}

	// Reuse of the spent refresh token revokes the whole session.
	r = e.do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("refresh reuse: %d", r.status)
	}

	if r := e.do("GET", "/v1/me", next.AccessToken, nil); r.status != http.StatusUnauthorized {
		t.Fatalf("token of a session revoked for reuse: %d", r.status)
	}
}

func lockoutFlow(t *testing.T, e *env, a account) {
	for i := 0; i < 5; i++ {
		r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email,
			"password": "not the password"})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, r.status)
		}
	}

	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email, "password": a.pw})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d, want 429 with Retry-After", r.status)
	}
}

func TestTOTP(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	secret, code := enableTOTP(t, e, a)

	r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email, "password": a.pw})
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "totp_required") {
		t.Fatalf("login without code: %d %s", r.status, r.body)
	}

	// The confirmation used this step's code: it does not work twice.
	r = e.do("POST", "/v1/auth/login", "", map[string]any{"email": a.email, "password": a.pw,
		"totp_code": code})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("login with a used code: %d %s", r.status, r.body)
	}

	next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}

	r = e.do("POST", "/v1/auth/login", "", map[string]any{"email": a.email, "password": a.pw,
		"totp_code": next})
	if r.status != http.StatusOK {
		t.Fatalf("login with the next code: %d %s", r.status, r.body)
	}

	// A password-only sign-in is no longer fresh enough to share.
	aud := e.signUp("auditor", domain.RoleAuditor)
	pwdOnly := mustIssueSession(t, e, a.id, store.NewID(), time.Now())
	r = e.do("POST", "/v1/grants", pwdOnly, map[string]any{"auditor_id": aud.id, "scope": "all",
		"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `acr_values="otp"`) {
		t.Fatalf("share without otp: %d %v", r.status, r.header)
	}
}
