package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

const (
	issuer   = "https://issuer.ztkit.test"
	audience = "https://api.ztkit.test"
)

// owners is the test's resource store: a before hook loads owners from it.
var owners = map[string]string{"t1": "alice", "t2": "carol"}

func loadOwner(_ context.Context, in *pep.Input) error {
	if id := in.Request.Resource.ID; id != "" {
		in.Request.Resource.Owner = owners[id]
	}
	return nil
}

// fixture is a protected API served both by net/http and by echo.
type fixture struct {
	jwks     *tokentest.JWKS
	engine   *pep.Engine
	events   *eventLog
	revoked  *revoked
	httpURL  string
	echoURL  string
	verifier *token.Verifier
}

type eventLog struct {
	mu     sync.Mutex
	events []audit.Event
	fail   bool
}

func (l *eventLog) Emit(_ context.Context, e audit.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return errors.New("audit sink full")
	}
	l.events = append(l.events, e)
	return nil
}

func (l *eventLog) last() audit.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.events[len(l.events)-1]
}

// revoked is a revocation checker that revokes subjects by ID.
type revoked struct {
	mu       sync.Mutex
	subjects map[string]bool
	broken   bool
}

func (r *revoked) CheckRevoked(_ context.Context, p *zt.Principal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken {
		return errors.New("revocation store unreachable")
	}
	if r.subjects[p.Subject()] {
		return zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, zt.ReasonRevoked, nil)
	}
	return nil
}

func examplePolicy(t testing.TB) fs.FS {
	return os.DirFS("../pep/examples/roles_ownership_grants")
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{
		jwks:    tokentest.NewJWKS(t, token.ES256),
		events:  &eventLog{},
		revoked: &revoked{subjects: map[string]bool{}},
	}
	v, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer: issuer, Audience: []string{audience}, JWKSURL: f.jwks.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	f.verifier = v

	f.engine, err = pep.New(ctx, pep.Config{
		Policies: examplePolicy(t),
		Before:   []pep.BeforeHook{loadOwner},
		Timeout:  10 * time.Second, // a loaded machine must not deny
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.engine.Close() })

	cfg := middleware.Config{
		Verifier:   v,
		Engine:     f.engine,
		Session:    v,
		Revocation: f.revoked,
		Audit:      f.events,
		Realm:      "ztkit-test",
	}
	f.httpURL = serveHTTP(t, cfg)
	f.echoURL = serveEcho(t, cfg)
	return f
}

// handler answers with who called and what the decision obliged.
func handler(w http.ResponseWriter, r *http.Request) {
	p, ok := zt.PrincipalFrom(r.Context())
	d, dok := zt.DecisionFrom(r.Context())
	if !ok || !dok {
		_, _ = io.WriteString(w, "public")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"subject": p.Subject(), "obligations": d.Obligations,
	})
}

func serveHTTP(t testing.TB, cfg middleware.Config) string {
	cfg.Routes = map[string]middleware.Route{
		"GET /v1/transactions/{id}":    {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		"DELETE /v1/transactions/{id}": {Action: "transactions.delete", Resource: "transaction", IDParam: "id"},
		"GET /v1/transactions":         {Action: "transactions.list", Resource: "transaction"},
	}
	cfg.Public = []string{"GET /healthz"}
	m, err := middleware.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, p := range []string{
		"GET /v1/transactions/{id}", "DELETE /v1/transactions/{id}",
		"GET /v1/transactions", "GET /healthz", "GET /v1/unmapped",
	} {
		mux.HandleFunc(p, handler)
	}
	srv := httptest.NewServer(m.Handler(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

func serveEcho(t testing.TB, cfg middleware.Config) string {
	cfg.Routes = map[string]middleware.Route{
		"GET /v1/transactions/:id":    {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		"DELETE /v1/transactions/:id": {Action: "transactions.delete", Resource: "transaction", IDParam: "id"},
		"GET /v1/transactions":        {Action: "transactions.list", Resource: "transaction"},
	}
	cfg.Public = []string{"GET /healthz"}
	m, err := middleware.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(m.Echo())
	h := echo.WrapHandler(http.HandlerFunc(handler))
	e.GET("/v1/transactions/:id", h)
	e.DELETE("/v1/transactions/:id", h)
	e.GET("/v1/transactions", h)
	e.GET("/healthz", h)
	e.GET("/v1/unmapped", h)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// token signs an access token for sub with roles and amr.
func (f *fixture) token(t testing.TB, sub string, roles []string, amr ...string) string {
	c := tokentest.Claims(issuer, audience, 5*time.Minute)
	c["sub"], c["roles"], c["sid"] = sub, roles, "s-"+sub
	if len(amr) == 0 {
		amr = []string{"pwd"}
	}
	c["amr"] = amr
	return f.jwks.Sign(t, token.TypeAccessToken, c)
}

type answer struct {
	status    int
	challenge string
	ctype     string
	body      string
}

func do(t testing.TB, method, url string, set func(*http.Request)) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("WWW-Authenticate"),
		resp.Header.Get("Content-Type"), string(body)}
}

func bearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func TestAdapters(t *testing.T) {
	f := newFixture(t)
	alice := f.token(t, "alice", []string{"user"})
	aliceOTP := f.token(t, "alice", []string{"user"}, "pwd", "otp")
	expired := tokentest.Claims(issuer, audience, -time.Hour)
	expired["sub"] = "alice"
	expiredTok := f.jwks.Sign(t, token.TypeAccessToken, expired)
	forged := alice[:len(alice)-4] + "AAAA"

	tests := []struct {
		name      string
		method    string
		path      string
		set       func(*http.Request)
		status    int
		challenge string
		contains  string
		reason    string
	}{
		{name: "public", method: "GET", path: "/healthz", status: 200, contains: "public"},
		{
			name: "no credential", method: "GET", path: "/v1/transactions/t1",
			status: 401, challenge: `Bearer realm="ztkit-test"`, reason: zt.ReasonUnauthenticated,
		},
		{
			name: "malformed header", method: "GET", path: "/v1/transactions/t1",
			set:    func(r *http.Request) { r.Header.Set("Authorization", "Bearer a b") },
			status: 400, challenge: `Bearer realm="ztkit-test", error="invalid_request"`,
		},
		{
			name: "forged signature", method: "GET", path: "/v1/transactions/t1", set: bearer(forged),
			status: 401, challenge: `Bearer realm="ztkit-test", error="invalid_token"`,
		},
		{
			name: "expired", method: "GET", path: "/v1/transactions/t1", set: bearer(expiredTok),
			status: 401, challenge: `Bearer realm="ztkit-test", error="invalid_token"`,
		},
		{
			name: "owner allowed", method: "GET", path: "/v1/transactions/t1", set: bearer(alice),
			status: 200, contains: `"subject":"alice"`,
		},
		{
			name: "not the owner", method: "GET", path: "/v1/transactions/t2", set: bearer(alice),
			status: 403, reason: "rbac.no_permission",
		},
		{
			// The handler would see the ID "t1/x", not alice's "t1".
			name: "escaped slash in the ID", method: "GET", path: "/v1/transactions/t1%2Fx",
			set: bearer(alice), status: 403, reason: "rbac.no_permission",
		},
		{
			name: "unmapped route", method: "GET", path: "/v1/unmapped", set: bearer(alice),
			status: 403, reason: middleware.ReasonRouteUnmapped,
		},
		{
			name: "step-up", method: "DELETE", path: "/v1/transactions/t1", set: bearer(alice),
			status:    401,
			challenge: `Bearer realm="ztkit-test", error="insufficient_user_authentication", acr_values="otp"`,
			reason:    middleware.ReasonStepUp,
		},
		{
			name: "stepped up", method: "DELETE", path: "/v1/transactions/t1", set: bearer(aliceOTP),
			status: 200,
		},
		{
			name: "filter obligation reaches handler", method: "GET", path: "/v1/transactions",
			set: bearer(alice), status: 200, contains: `"filter":"transaction"`,
		},
		{
			name: "session cookie", method: "GET", path: "/v1/transactions/t1",
			set: func(r *http.Request) {
				r.AddCookie(&http.Cookie{Name: "__Host-session", Value: alice})
			},
			status: 200,
		},
	}
	for _, srv := range []struct{ name, url string }{{"net/http", f.httpURL}, {"echo", f.echoURL}} {
		for _, tt := range tests {
			t.Run(srv.name+"/"+tt.name, func(t *testing.T) {
				got := do(t, tt.method, srv.url+tt.path, tt.set)
				if got.status != tt.status {
					t.Fatalf("status = %d, want %d (%s)", got.status, tt.status, got.body)
				}
				if got.challenge != tt.challenge {
					t.Errorf("WWW-Authenticate = %q, want %q", got.challenge, tt.challenge)
				}
				if !strings.Contains(got.body, tt.contains) {
					t.Errorf("body %q lacks %q", got.body, tt.contains)
				}
				if got.status >= 400 {
					checkProblem(t, got)
				}
				if tt.reason != "" && !hasReason(f.events.last(), tt.reason) {
					t.Errorf("audit event %+v lacks reason %s", f.events.last(), tt.reason)
				}
			})
		}
	}
}

// checkProblem checks an RFC 9457 body that tells nothing of the reason.
func checkProblem(t *testing.T, got answer) {
	t.Helper()
	if got.ctype != "application/problem+json" {
		t.Errorf("content type %q", got.ctype)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(got.body), &p); err != nil {
		t.Fatalf("problem body %q: %v", got.body, err)
	}
	if int(p["status"].(float64)) != got.status || len(p) != 3 {
		t.Errorf("problem body says too much or too little: %v", p)
	}
}

func hasReason(e audit.Event, reason string) bool {
	for _, r := range e.Reasons {
		if r == reason {
			return true
		}
	}
	return false
}

func TestLiveStateTakesEffectOnNextRequest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.token(t, "root", []string{"admin"})
	url := f.httpURL + "/v1/transactions/t2"

	if got := do(t, "GET", url, bearer(admin)); got.status != 200 {
		t.Fatalf("admin before: %d", got.status)
	}
	if _, err := f.engine.Update(ctx, func(tx *pep.Tx) error {
		tx.SetRoles("root") // the admin role is removed
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := do(t, "GET", url, bearer(admin)); got.status != 403 {
		t.Fatalf("role removed, still %d", got.status)
	}

	f.revoked.mu.Lock()
	f.revoked.subjects["alice"] = true
	f.revoked.mu.Unlock()
	got := do(t, "GET", f.echoURL+"/v1/transactions/t1", bearer(f.token(t, "alice", []string{"user"})))
	if got.status != 401 || !strings.Contains(got.challenge, "invalid_token") {
		t.Fatalf("revoked subject: %d %q", got.status, got.challenge)
	}
	// The token was verified before its subject was found revoked: the
	// audit trail names whose credential was refused.
	if e := f.events.last(); !hasReason(e, zt.ReasonRevoked) || e.Actor.User != "alice" || e.ID == "" {
		t.Errorf("revocation audit event: %+v", e)
	}
}

func TestFailsClosed(t *testing.T) {
	f := newFixture(t)
	alice := f.token(t, "alice", []string{"user"})

	f.revoked.mu.Lock()
	f.revoked.broken = true
	f.revoked.mu.Unlock()
	if got := do(t, "GET", f.httpURL+"/v1/transactions/t1", bearer(alice)); got.status != 503 {
		t.Errorf("unknown revocation state: %d", got.status)
	}
	f.revoked.mu.Lock()
	f.revoked.broken = false
	f.revoked.mu.Unlock()

	f.events.mu.Lock()
	f.events.fail = true
	f.events.mu.Unlock()
	if got := do(t, "GET", f.echoURL+"/v1/transactions/t1", bearer(alice)); got.status != 503 {
		t.Errorf("audit refused the event: %d", got.status)
	}
}

// decider is a stand-in engine that returns a fixed decision.
type decider zt.Decision

func (d decider) DecideAt(context.Context, string, *pep.Input) (zt.Decision, error) {
	return zt.Decision(d), nil
}

type principalVerifier struct{}

func (principalVerifier) Verify(_ context.Context, raw string) (*zt.Principal, error) {
	return &zt.Principal{User: &zt.User{ID: raw}}, nil
}

// getWithEngine serves GET /x (action x.read) with engine deciding and
// returns the answer to a request by alice.
func getWithEngine(t *testing.T, engine middleware.Decider, events audit.Emitter) answer {
	t.Helper()
	m, err := middleware.New(middleware.Config{
		Verifier: principalVerifier{}, Engine: engine, Audit: events,
		Routes: map[string]middleware.Route{"GET /x": {Action: "x.read"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", handler)
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()
	return do(t, "GET", srv.URL+"/x", bearer("alice"))
}

func TestUnknownObligationDenies(t *testing.T) {
	d := decider{Allow: true, Obligations: map[string]any{"watermark": true}}
	if got := getWithEngine(t, d, nil); got.status != 403 {
		t.Errorf("unknown obligation: %d", got.status)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	d := decider{}
	tests := map[string]middleware.Config{
		"no verifier": {Engine: d},
		"no engine":   {Verifier: principalVerifier{}},
		"no action": {Verifier: principalVerifier{}, Engine: d,
			Routes: map[string]middleware.Route{"GET /x": {}}},
		"public and mapped": {Verifier: principalVerifier{}, Engine: d,
			Routes: map[string]middleware.Route{"GET /x": {Action: "x"}}, Public: []string{"GET /x"}},
		"DPoP required but off": {Verifier: principalVerifier{}, Engine: d, RequireDPoP: true},
		"symmetric DPoP algorithm": {Verifier: principalVerifier{}, Engine: d,
			DPoP: &token.DPoPConfig{Algorithms: []string{"HS256"}}},
		"origin with a query": {Verifier: principalVerifier{}, Engine: d,
			DPoP: &token.DPoPConfig{}, ExternalOrigin: "https://x.test/?a=b"},
		"origin without host": {Verifier: principalVerifier{}, Engine: d,
			DPoP: &token.DPoPConfig{}, ExternalOrigin: "/ledger"},
	}
	for name, cfg := range tests {
		if _, err := middleware.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHandlerNeedsARouter(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", handler)
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mux.ServeHTTP(w, r) })
	cfg := middleware.Config{
		Verifier: principalVerifier{}, Engine: decider{Allow: true},
		Routes: map[string]middleware.Route{"GET /x": {Action: "x.read"}},
	}
	for _, tt := range []struct {
		name   string
		router middleware.Router
		status int
	}{{"no router", nil, 403}, {"router", mux, 200}} {
		cfg.Router = tt.router
		m, err := middleware.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(m.Handler(wrapped))
		if got := do(t, "GET", srv.URL+"/x", bearer("alice")); got.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, got.status, tt.status)
		}
		srv.Close()
	}
}

// failing is an engine that fails, as an engine error or timeout does.
type failing struct{ reason string }

func (f failing) DecideAt(context.Context, string, *pep.Input) (zt.Decision, error) {
	return zt.Deny(f.reason), errors.New("engine failed")
}

func TestEngineFailureDenies(t *testing.T) {
	for _, reason := range []string{zt.ReasonEvalError, zt.ReasonTimeout, zt.ReasonUndefined} {
		events := &eventLog{}
		got := getWithEngine(t, failing{reason}, events)
		if got.status != 403 || strings.Contains(got.body, reason) {
			t.Errorf("%s: %d %s", reason, got.status, got.body)
		}
		if !hasReason(events.last(), reason) {
			t.Errorf("%s: audit %+v", reason, events.last())
		}
	}
}
