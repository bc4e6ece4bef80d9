package detect_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/revoke"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type harness struct {
	clock   *clock
	revoked *revoke.List
	risk    *detect.RiskStore
	alerts  *detect.MemoryStore
	audit   *recorder
	r       *detect.Responder
}

func newHarness(t *testing.T, mutate func(*detect.ResponderConfig)) *harness {
	t.Helper()

	h := &harness{
		clock:  &clock{now: t0},
		alerts: detect.NewMemoryStore(100),
		audit:  &recorder{},
	}
	h.revoked = revoke.NewList(revoke.Config{Now: h.clock.Now})
	h.risk = detect.NewRiskStore(detect.RiskConfig{Now: h.clock.Now})

	cfg := detect.ResponderConfig{
		Revocations: h.revoked,
		Risk:        h.risk,
		Alerts:      h.alerts,
		Audit:       h.audit,
		Self:        "spiffe://example.org/security/responder",
		Now:         h.clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}

	r, err := detect.NewResponder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.r = r

	return h
}

// shell is a Falco alert about a terminal shell in workload w.
func shell(id, w string) detect.Alert {
	return detect.Alert{
		ID: id, Time: t0, Source: detect.SourceFalco, Rule: "Terminal shell in container",
		Severity: detect.SeverityLow, Subject: detect.Subject{Workload: w},
	}
}

func summary(a detect.Alert) string {
	var parts []string
	for _, o := range a.Outcomes {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, " ")
}

func (h *harness) handle(t *testing.T, a detect.Alert) string {
	t.Helper()

	got, err := h.r.Handle(context.Background(), a)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}

	return summary(got)
}

func TestResponderQuarantines(t *testing.T) {
	h := newHarness(t, nil)
	w := "spiffe://example.org/web"

	if got := h.handle(t, shell("a1", w)); got != "quarantine:taken raise_risk:taken" {
		t.Fatalf("outcomes %q", got)
	}

	e, ok := h.revoked.Revoked(revoke.Workload, w)
	if !ok || !e.Expires.Equal(t0.Add(15*time.Minute)) ||
		e.Reason != "detect.falco:Terminal shell in container" {
		t.Fatalf("entry = %+v, %v", e, ok)
	}

	h.clock.Add(16 * time.Minute)
	if _, ok := h.revoked.Revoked(revoke.Workload, w); ok {
		t.Error("quarantine outlived its 15 minutes")
	}
}

func TestResponderIsIdempotent(t *testing.T) {
	h := newHarness(t, nil)
	w := "spiffe://example.org/web"

	h.handle(t, shell("a1", w))
	if got := h.handle(t, shell("a1", w)); got != "notify:duplicate" {
		t.Errorf("same alert again: %q", got)
	}
	if got := h.handle(t, shell("a2", w)); got != "quarantine:already_active raise_risk:taken" {
		t.Errorf("another alert, same workload: %q", got)
	}

	if n := h.alerts.Len(); n != 2 {
		t.Errorf("stored %d alerts, want 2", n)
	}

	// After the dedup window the ID is new again.
	h.clock.Add(detect.DefaultDedupWindow + time.Second)
	if got := h.handle(t, shell("a1", w)); got != "quarantine:taken raise_risk:taken" {
		t.Errorf("after the window: %q", got)
	}
}

func TestResponderRateLimit(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.RateLimit = detect.RateLimit{Actions: 2, Per: time.Minute}
	})

	var got []string
	for i, w := range []string{"a", "b", "c"} {
		got = append(got, h.handle(t, shell(string(rune('0'+i)), "spiffe://example.org/"+w)))
	}
	want := []string{
		"quarantine:taken raise_risk:taken",
		"quarantine:taken raise_risk:taken",
		"quarantine:rate_limited raise_risk:taken",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("outcomes %q, want %q", got, want)
	}

	h.clock.Add(time.Minute)
	if got := h.handle(t, shell("3", "spiffe://example.org/c")); got != want[0] {
		t.Errorf("after the window: %q", got)
	}
}

func TestResponderProtects(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.Protect = detect.Protection{
			Workloads: []string{"spiffe://example.org/critical/"},
			Users:     []string{"breakglass"},
		}
	})

	tests := []struct {
		name string
		s    detect.Subject
		want string
	}{
		{"self", detect.Subject{Workload: "spiffe://example.org/security/responder"},
			"protected.workload"},
		{"under a protected path", detect.Subject{Workload: "spiffe://example.org/critical/db"},
			"protected.workload"},
		{"not a path prefix", detect.Subject{Workload: "spiffe://example.org/criticality"}, ""},
		{"falco namespace", detect.Subject{Workload: "spiffe://example.org/x",
			Kubernetes: &detect.Kubernetes{Namespace: "falco"}}, "protected.namespace"},
		{"falco image with tag", detect.Subject{Workload: "spiffe://example.org/y",
			Kubernetes: &detect.Kubernetes{Image: "docker.io/falcosecurity/falco:0.38.0"}},
			"protected.image"},
		{"lookalike image", detect.Subject{Workload: "spiffe://example.org/z",
			Kubernetes: &detect.Kubernetes{Image: "evil/notfalcosecurity/falco"}}, ""},
		{"sidekick process", detect.Subject{Workload: "spiffe://example.org/w",
			Kubernetes: &detect.Kubernetes{Process: "falcosidekick"}}, "protected.process"},
		{"break-glass user", detect.Subject{User: "breakglass", Workload: "spiffe://example.org/v"},
			"protected.user"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := shell("p"+string(rune('a'+i)), tt.s.Workload)
			a.Subject = tt.s

			got, err := h.r.Handle(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcomes[0].Skipped != tt.want {
				t.Errorf("quarantine skipped %q, want %q", got.Outcomes[0].Skipped, tt.want)
			}
		})
	}
}

func TestResponderDryRun(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) { c.DryRun = true })

	got := h.handle(t, shell("a1", "spiffe://example.org/web"))
	if got != "quarantine:dry_run raise_risk:dry_run" {
		t.Fatalf("outcomes %q", got)
	}
	if h.revoked.Len() != 0 {
		t.Error("dry run revoked")
	}
	web := detect.RiskKey{Kind: "workload", Value: "spiffe://example.org/web"}
	if score, _ := h.risk.Score(web); score != 0 {
		t.Error("dry run raised risk")
	}

	e := h.audit.last()
	if e.Attributes["dry_run"] != "true" || e.Attributes["outcome"] != "skipped" {
		t.Errorf("audit event = %+v", e)
	}
}

func TestResponderAuditsEveryOutcome(t *testing.T) {
	h := newHarness(t, nil)
	a := shell("a1", "spiffe://example.org/falco/sidekick")
	a.Subject.Kubernetes = &detect.Kubernetes{Namespace: "falco"}

	h.handle(t, a)

	h.audit.mu.Lock()
	events := slices.Clone(h.audit.events)
	h.audit.mu.Unlock()
	if len(events) != 2 {
		t.Fatalf("%d audit events, want 2", len(events))
	}

	e := events[0]
	switch {
	case e.Kind != "response" || e.Action != "detect.quarantine":
		t.Errorf("kind, action = %q, %q", e.Kind, e.Action)
	case e.Resource != audit.Resource{Type: "workload", ID: "spiffe://example.org/falco/sidekick"}:
		t.Errorf("resource = %+v", e.Resource)
	case !slices.Contains(e.Reasons, "detect.skipped.protected.namespace"):
		t.Errorf("reasons = %v", e.Reasons)
	case e.Actor.Workload != "spiffe://example.org/security/responder":
		t.Errorf("actor = %+v", e.Actor)
	case e.Attributes["alert_id"] != "a1" || e.Attributes["response_rule"] != "falco.intrusion":
		t.Errorf("attributes = %v", e.Attributes)
	case e.ID == "" || e.ID == events[1].ID:
		t.Errorf("event IDs %q, %q", e.ID, events[1].ID)
	}
}

type failingRevoker struct{}

func (failingRevoker) Revoke(context.Context, ...revoke.Entry) error {
	return errors.New("redis down")
}

func TestResponderReportsFailedActions(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) { c.Revoker = failingRevoker{} })

	got, err := h.r.Handle(context.Background(), shell("a1", "spiffe://example.org/web"))
	if err == nil || !strings.Contains(err.Error(), "redis down") {
		t.Fatalf("err = %v", err)
	}
	if summary(got) != "quarantine:failed raise_risk:taken" {
		t.Errorf("outcomes %q", summary(got))
	}
}

func TestResponderWithoutDependencies(t *testing.T) {
	r, err := detect.NewResponder(detect.ResponderConfig{})
	if err != nil {
		t.Fatal(err)
	}

	got, err := r.Handle(context.Background(), shell("a1", "spiffe://example.org/web"))
	if err != nil || summary(got) != "quarantine:unconfigured raise_risk:unconfigured" {
		t.Errorf("outcomes %q, err %v", summary(got), err)
	}
}

func TestResponderCustomRules(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.Rules = []detect.Rule{
			{Name: "persistence", Match: detect.Match{Tags: []string{"MITRE_PERSISTENCE"}},
				Actions: []detect.Action{{Kind: detect.Quarantine, For: time.Hour}}},
			{Name: "session", Match: detect.Match{Rules: []string{"stolen cookie"}},
				Actions: []detect.Action{{Kind: detect.RevokeSession}, {Kind: detect.RevokeDevice}}},
			{Name: "everything else", Actions: nil},
		}
	})

	a := detect.Alert{ID: "1", Source: "x", Tags: []string{"mitre_persistence"},
		Subject: detect.Subject{Workload: "spiffe://example.org/a"}}
	if got := h.handle(t, a); got != "quarantine:taken" {
		t.Errorf("tag rule: %q", got)
	}

	b := detect.Alert{ID: "2", Source: "x", Rule: "Stolen Cookie",
		Subject: detect.Subject{User: "u", Session: "s", Device: "d"}}
	if got := h.handle(t, b); got != "revoke_session:taken revoke_device:taken" {
		t.Errorf("rule-name rule: %q", got)
	}
	if _, ok := h.revoked.Revoked(revoke.Device, "d"); !ok {
		t.Error("device not revoked")
	}

	c := detect.Alert{ID: "3", Source: "x", Rule: "other"}
	if got := h.handle(t, c); got != "notify:taken" {
		t.Errorf("fallback: %q", got)
	}
	got, _ := h.r.Handle(context.Background(), detect.Alert{ID: "4"})
	if got.Outcomes[0].Rule != "everything else" {
		t.Errorf("rule = %q", got.Outcomes[0].Rule)
	}
}

func TestNewResponderRefusesBadRules(t *testing.T) {
	tests := map[string][]detect.Rule{
		"no name":        {{}},
		"unknown action": {{Name: "x", Actions: []detect.Action{{Kind: 99}}}},
		"negative time":  {{Name: "x", Actions: []detect.Action{{Kind: detect.Quarantine, For: -1}}}},
		"too many points": {{Name: "x", Actions: []detect.Action{
			{Kind: detect.RaiseRisk, Points: 101}}}},
	}
	for name, rules := range tests {
		_, err := detect.NewResponder(detect.ResponderConfig{Rules: rules})
		if !errors.Is(err, detect.ErrInvalidRule) {
			t.Errorf("%s: err = %v, want ErrInvalidRule", name, err)
		}
	}
}
