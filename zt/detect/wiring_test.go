package detect_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

const (
	issuer   = "https://issuer.ztkit.test"
	audience = "https://api.ztkit.test"
)

// policy lets owners read their things and auditors read every thing, and
// denies everyone whose risk reaches 50.
const policy = `package ztkit.authz

decision := {"allow": false, "reasons": {"risk.high"}} if {
	input.risk.score >= 50
} else := {"allow": true, "reasons": {"owner"}} if {
	input.resource.owner == input.subject.id
} else := {"allow": true, "reasons": {"auditor"}} if {
	"auditor" in input.subject.roles
} else := {"allow": false, "reasons": {"rbac.no_permission"}}
`

// ownerOf says that thing "alice-1" belongs to alice.
func ownerOf(_ context.Context, in *pep.Input) error {
	owner, _, _ := strings.Cut(in.Request.Resource.ID, "-")
	in.Request.Resource.Owner = owner
	return nil
}

// service is an API protected by the real middleware, whose audit stream
// feeds a Monitor whose responses go to the middleware's revocation list
// and risk hook.
type service struct {
	url       string
	jwks      *tokentest.JWKS
	revoked   *revoke.List
	risk      *detect.RiskStore
	monitor   *detect.Monitor
	decisions *recorder
}

type recorder struct {
	mu     sync.Mutex
	events []audit.Event
}

func (r *recorder) Emit(_ context.Context, e audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) last() audit.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1]
}

func newService(t *testing.T) *service {
	t.Helper()
	ctx := context.Background()

	s := &service{
		jwks:      tokentest.NewJWKS(t, token.ES256),
		revoked:   revoke.NewList(revoke.Config{}),
		risk:      detect.NewRiskStore(detect.RiskConfig{}),
		decisions: &recorder{},
	}

	responder, err := detect.NewResponder(detect.ResponderConfig{
		Revocations: s.revoked, Risk: s.risk, Alerts: detect.NewMemoryStore(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.monitor = detect.NewMonitor(detect.MonitorConfig{
		Handler:     responder,
		Enumeration: detect.Threshold{Count: 5, Window: time.Minute},
	})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = s.monitor.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer: issuer, Audience: []string{audience}, JWKSURL: s.jwks.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })

	engine, err := pep.New(ctx, pep.Config{
		Policies: fstest.MapFS{"authz.rego": {Data: []byte(policy)}},
		Before:   []pep.BeforeHook{ownerOf},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Close() })

	s.url = s.serve(t, verifier, engine)

	return s
}

func (s *service) serve(t *testing.T, v *token.Verifier, engine *pep.Engine) string {
	t.Helper()

	route := "GET /v1/things/{id}"
	m, err := middleware.New(middleware.Config{
		Verifier: v,
		Engine:   engine,
		Routes: map[string]middleware.Route{
			route: {Action: "things.read", Resource: "thing", IDParam: "id"},
		},
		Revocation: s.revoked,
		Risk:       s.risk.Risk,
		Audit: audit.EmitterFunc(func(ctx context.Context, e audit.Event) error {
			_ = s.decisions.Emit(ctx, e)
			return s.monitor.Emit(ctx, e)
		}),
	})
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc(route, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	srv := httptest.NewServer(m.Handler(mux))
	t.Cleanup(srv.Close)

	return srv.URL
}

func (s *service) token(t *testing.T, sub string, roles ...string) string {
	c := tokentest.Claims(issuer, audience, 5*time.Minute)
	c["sub"], c["sid"] = sub, "s-"+sub
	if len(roles) > 0 {
		c["roles"] = roles
	}
	return s.jwks.Sign(t, token.TypeAccessToken, c)
}

func (s *service) get(t *testing.T, tok, thing string) int {
	t.Helper()

	req, err := http.NewRequest(http.MethodGet, s.url+"/v1/things/"+thing, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)

	return resp.StatusCode
}

// waitFor polls cond until it holds; the responder acts on its own
// goroutine. It fails after a generous bound, which only a broken
// pipeline reaches.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()

	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A subject probing other users' things is denied ten times; the denial
// burst revokes its session, and its next request is refused even for its
// own thing.
func TestProbingRevokesSessionThroughMiddleware(t *testing.T) {
	s := newService(t)
	alice := s.token(t, "alice")

	if status := s.get(t, alice, "alice-1"); status != http.StatusOK {
		t.Fatalf("own thing: %d", status)
	}
	for i := range 10 {
		if status := s.get(t, alice, "bob-"+string(rune('0'+i))); status != http.StatusForbidden {
			t.Fatalf("probe %d: status %d", i, status)
		}
	}

	waitFor(t, "session revoked", func() bool {
		_, ok := s.revoked.Revoked(revoke.Session, "s-alice")
		return ok
	})

	if status := s.get(t, alice, "alice-1"); status != http.StatusUnauthorized {
		t.Errorf("after the burst: status %d, want 401", status)
	}
}

// Failed sign-ins against an account raise its risk; the policy sees it
// through the middleware's risk hook and denies the account's next request.
func TestBruteForceRaisesRiskThroughMiddleware(t *testing.T) {
	s := newService(t)
	carol := s.token(t, "carol")

	if status := s.get(t, carol, "carol-1"); status != http.StatusOK {
		t.Fatalf("before: %d", status)
	}

	for range 5 {
		_ = s.monitor.Emit(context.Background(), audit.Event{
			Kind: detect.KindLogin, Decision: "deny",
			Actor: audit.Actor{User: "carol"}, SourceAddr: "203.0.113.9:4711",
		})
	}
	waitFor(t, "risk raised", func() bool {
		score, _ := s.risk.Score(detect.RiskKey{Kind: "user", Value: "carol"})
		return score > 0
	})

	if status := s.get(t, carol, "carol-1"); status != http.StatusForbidden {
		t.Fatalf("after brute force: status %d, want 403", status)
	}
	if e := s.decisions.last(); len(e.Reasons) == 0 || e.Reasons[0] != "risk.high" {
		t.Errorf("denial reasons = %v, want risk.high", e.Reasons)
	}
}

// An auditor suddenly reading many distinct things is flagged, and the
// raised risk stops the enumeration.
func TestEnumerationStopsAuditor(t *testing.T) {
	s := newService(t)
	dave := s.token(t, "dave", "auditor")

	for i := range 5 {
		if status := s.get(t, dave, "erin-"+string(rune('a'+i))); status != http.StatusOK {
			t.Fatalf("read %d: %d", i, status)
		}
	}

	waitFor(t, "risk raised", func() bool {
		score, _ := s.risk.Score(detect.RiskKey{Kind: "user", Value: "dave"})
		return score >= 50
	})

	if status := s.get(t, dave, "erin-z"); status != http.StatusForbidden {
		t.Errorf("after enumeration: status %d, want 403", status)
	}
}

// An account is brute forced and then signed in to from the attacking
// source: the new session is revoked before its first request.
func TestCompromisedSignInRevokedThroughMiddleware(t *testing.T) {
	s := newService(t)
	frank := s.token(t, "frank") // sid "s-frank"

	for range 5 {
		_ = s.monitor.Emit(context.Background(), audit.Event{
			Kind: detect.KindLogin, Decision: "deny",
			Actor: audit.Actor{User: "frank"}, SourceAddr: "203.0.113.66:5000",
		})
	}
	_ = s.monitor.Emit(context.Background(), audit.Event{
		Kind: detect.KindLogin, Decision: "allow",
		Actor: audit.Actor{User: "frank", Session: "s-frank"}, SourceAddr: "203.0.113.66:5001",
	})

	waitFor(t, "session revoked", func() bool {
		_, ok := s.revoked.Revoked(revoke.Session, "s-frank")
		return ok
	})
	if status := s.get(t, frank, "frank-1"); status != http.StatusUnauthorized {
		t.Errorf("compromised session: status %d, want 401", status)
	}
}
