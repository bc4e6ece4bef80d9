package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// principal is one row of the authorization matrix.
type principal struct {
	name  string
	acct  account
	role  domain.Role // live role; empty for none
	valid bool        // the token is valid (not anonymous, not revoked)
}

// world is everything the matrix needs: the principals and whose
// resources are whose.
type world struct {
	*env
	userA, userB, spare account
	principals          []principal
	viaBrowser          bool
}

func buildWorld(t *testing.T) *world {
	e := start(t)
	w := &world{env: e}

	w.userA = e.signUp("alice", domain.RoleUser)
	w.userB = e.signUp("bob", domain.RoleUser)
	w.spare = e.signUp("spare-auditor", domain.RoleAuditor)
	withGrant := e.signUp("auditor-granted", domain.RoleAuditor)
	without := e.signUp("auditor-without", domain.RoleAuditor)
	revoked := e.signUp("auditor-revoked", domain.RoleAuditor)
	expired := e.signUp("auditor-expired", domain.RoleAuditor)
	admin := e.login(e.admin.Email, e.admin.Password)
	admin.id = adminID(t, e)

	e.grant(w.userA, withGrant.id, map[string]any{"scope": "all"})
	g := e.grant(w.userA, revoked.id, map[string]any{"scope": "all"})
	if r := e.do("DELETE", "/v1/grants/"+g, w.userA.token, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke grant: %d %s", r.status, r.body)
	}

	e.grant(w.userA, expired.id, map[string]any{"scope": "all",
		"expires_at": time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)})

	pending := e.signUp("pending", "")
	pending.token = mustIssue(t, e, pending.id, time.Now())

	gone := e.signUp("signed-out", domain.RoleUser)
	if r := e.do("POST", "/v1/auth/logout", gone.token, nil); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}

	cut := e.signUp("cut-off", domain.RoleUser)
	if r := e.do("POST", "/v1/admin/users/"+cut.id+"/sessions/revoke", admin.token, nil); r.status != http.StatusOK {
		t.Fatalf("admin revoke: %d %s", r.status, r.body)
	}

	time.Sleep(1600 * time.Millisecond) // let the short grant expire

	w.principals = []principal{
		{name: "anonymous"},
		{name: "pending-user", acct: pending, valid: true},
		{name: "user-A", acct: w.userA, role: domain.RoleUser, valid: true},
		{name: "user-B", acct: w.userB, role: domain.RoleUser, valid: true},
		{name: "auditor-with-grant", acct: withGrant, role: domain.RoleAuditor, valid: true},
		{name: "auditor-without-grant", acct: without, role: domain.RoleAuditor, valid: true},
		{name: "auditor-after-revoke", acct: revoked, role: domain.RoleAuditor, valid: true},
		{name: "auditor-after-expiry", acct: expired, role: domain.RoleAuditor, valid: true},
		{name: "admin", acct: admin, role: domain.RoleAdmin, valid: true},
		{name: "signed-out-session", acct: gone, role: domain.RoleUser},
		{name: "admin-revoked-session", acct: cut, role: domain.RoleUser},
	}

	return w
}

func adminID(t *testing.T, e *env) string {
	u, err := e.p.Store().UserByEmail(context.Background(), e.admin.Email)
	if err != nil {
		t.Fatal(err)
	}

	return u.ID
}

func mustIssue(t *testing.T, e *env, uid string, authTime time.Time) string {
	tok, err := e.p.IssueForTest(context.Background(), uid, store.NewID(), authTime, "pwd")
	if err != nil {
		t.Fatal(err)
	}

	return tok
}

// expect is the oracle: what the route table says the principal may do.
func expect(r routes.Route, p principal, own bool) (allowed bool, status int) {
	switch {
	case !p.valid:
		return false, http.StatusUnauthorized
	case p.role == "" || !slices.Contains(r.Roles, string(p.role)):
		return false, http.StatusForbidden
	case r.Owner && !own:
		return false, http.StatusForbidden
	case strings.HasPrefix(r.Action, "admin.users.") && r.Action != "admin.users.list" && own:
		return false, http.StatusForbidden
	}

	return true, 0
}

// TestAuthorizationMatrix sends every route of the table, as every kind of
// principal, at their own and at someone else's resource, over real HTTPS
// to the public service, which forwards over mTLS to the owning service and
// the backend; each hop authenticates and decides again.
func TestAuthorizationMatrix(t *testing.T) {
	runMatrix(t, false)
}

// TestAuthorizationMatrixBrowser runs the same matrix through the web UI's
// entry point: the same routes under /api, authenticated by the session
// cookie, with the CSRF header.
func TestAuthorizationMatrixBrowser(t *testing.T) {
	runMatrix(t, true)
}

func runMatrix(t *testing.T, viaBrowser bool) {
	w := buildWorld(t)
	w.viaBrowser = viaBrowser
	cells := 0

	for _, r := range routes.Table {
		if r.Anonymous || r.Internal || r.Service == routes.Public {
			continue // sign-in routes: TestSignInFlows
		}

		for _, p := range w.principals {
			targets := []bool{false}
			if strings.Contains(r.Path, "{id}") {
				targets = []bool{true, false}
			}

			for _, own := range targets {
				cells++
				w.cell(t, r, p, own)
			}
		}
	}

	if cells < 300 {
		t.Fatalf("the matrix has %d cells; the route table shrank?", cells)
	}
}

func (w *world) cell(t *testing.T, r routes.Route, p principal, own bool) {
	target := map[bool]string{true: "own", false: "other"}[own]

	t.Run(fmt.Sprintf("%s/%s/%s", r.Action, p.name, target), func(t *testing.T) {
		w := w.in(t)
		path, body := w.request(t, r, p, own)
		got := w.send(r.Method, path, p.acct.token, body)
		allowed, status := expect(r, p, own)

		switch {
		case allowed && (got.status == 401 || got.status == 403 || got.status >= 500):
			t.Fatalf("%s %s: want allowed, got %d %s", r.Method, path, got.status, got.body)
		case !allowed && got.status != status:
			t.Fatalf("%s %s: want %d, got %d %s", r.Method, path, status, got.status, got.body)
		}
	})
}

// in returns w with its helpers failing t, the cell's own test: a helper
// that fails inside a cell must not call FailNow on the parent test.
func (w *world) in(t *testing.T) *world {
	e := *w.env
	e.t = t

	c := *w
	c.env = &e

	return &c
}

// request builds the path and body of one cell, creating a fresh resource
// for routes that change or remove one.
func (w *world) request(t *testing.T, r routes.Route, p principal, own bool) (string, any) {
	owner := w.userA
	if own {
		owner = p.acct
	} else if p.acct.id == w.userA.id {
		owner = w.userB
	}

	cannotOwn := own && (!p.valid || p.role != domain.RoleUser)

	id := ""
	switch {
	case r.Owner:
		id = w.resourceOf(t, r.Resource, owner, cannotOwn)
	case strings.Contains(r.Path, "{id}") && own:
		id = p.acct.id
	case strings.Contains(r.Path, "{id}"):
		id = w.signUp(fmt.Sprintf("target-%d", time.Now().UnixNano()), "").id
	}

	if id == "" && strings.Contains(r.Path, "{id}") {
		id = store.NewID() // the principal owns no such thing: a made-up id
	}

	return strings.Replace(r.Path, "{id}", id, 1), w.body(r)
}

// resourceOf creates a fresh resource of owner; none when owner cannot own
// one (then the cell targets a made-up id).
func (w *world) resourceOf(t *testing.T, kind string, owner account, none bool) string {
	if none || owner.token == "" {
		return ""
	}

	switch kind {
	case "transaction":
		return w.createTx(owner, "expense", "2026-01-15")
	case "grant":
		return w.grant(owner, w.spare.id, map[string]any{"scope": "all"})
	default:
		return w.ingestDraft(t, owner, store.NewID())
	}
}

func (w *world) body(r routes.Route) any {
	switch r.Action {
	case "profile.update":
		return map[string]string{"display_name": "Renamed"}
	case "profile.totp_confirm":
		return map[string]string{"code": "000000"}
	case "profile.password":
		// A wrong current password: allowed cells answer 400 and change
		// nothing, so that the principal keeps its sessions.
		return map[string]string{"current_password": "not the password",
			"new_password": "a new long password"}
	case "transactions.create", "transactions.update":
		return txBody(4200, "saving", "2026-02-01")
	case "grants.create":
		return map[string]any{"auditor_id": w.spare.id, "scope": "all",
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	case "admin.users.set_role":
		return map[string]string{"role": "user"}
	}

	return nil
}

// ingestDraft delivers a draft for owner as the ZeroSMS backend does:
// straight to the backend over mTLS with the owner's token.
func (e *env) ingestDraft(t *testing.T, owner account, source string) string {
	c := e.workloadClient(routes.ZeroSMS, routes.Backend)
	r := doWith(t, c, e.serviceURL(routes.Backend), "POST", "/internal/v1/drafts", owner.token,
		map[string]any{"source_id": source, "transaction": txBody(777, "expense", "2026-03-03")})

	if r.status != http.StatusCreated {
		t.Fatalf("ingest draft: %d %s", r.status, r.body)
	}

	var d domain.Draft
	r.decode(t, &d)

	return d.ID
}

// send sends one cell's request, as an API client with a bearer token or as
// the web UI with the session cookie.
func (w *world) send(method, path, token string, body any) answer {
	if !w.viaBrowser {
		return w.do(method, path, token, body)
	}

	c := *w.client
	tr := c.Transport
	c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if token != "" {
			r.AddCookie(&http.Cookie{Name: public.SessionCookie,
				Value: w.p.SealForTest(public.SessionCookie, token)})
		}

		r.AddCookie(&http.Cookie{Name: public.CSRFCookie, Value: "matrix-csrf"})
		r.Header.Set(public.CSRFHeader, "matrix-csrf")
		r.Header.Set("Origin", w.p.PublicURL())

		return tr.RoundTrip(r)
	})

	return doWith(w.t, &c, w.p.PublicURL(), method, public.BrowserPrefix+path, "", body)
}
