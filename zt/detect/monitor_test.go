package detect_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// watch runs a Monitor whose alerts are collected in order.
type watch struct {
	m      *detect.Monitor
	mu     sync.Mutex
	alerts []detect.Alert
}

func newWatch(t *testing.T, cfg detect.MonitorConfig) *watch {
	t.Helper()

	w := &watch{}
	cfg.Handler = detect.HandlerFunc(func(_ context.Context, a detect.Alert) (detect.Alert, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.alerts = append(w.alerts, a)
		return a, nil
	})
	w.m = detect.NewMonitor(cfg)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	return w
}

func (w *watch) emit(events ...audit.Event) {
	for _, e := range events {
		_ = w.m.Emit(context.Background(), e)
	}
}

// settle returns the alerts raised so far. It emits a sentinel burst of
// failed sign-ins that always fires (every test keeps the default
// per-account threshold), and waits for it: alerts are handled
// in order, so every earlier one has been delivered by then.
func (w *watch) settle(t *testing.T) []detect.Alert {
	t.Helper()

	for range detect.DefaultBruteForce.Count {
		w.emit(audit.Event{Kind: detect.KindLogin, Decision: "deny", Time: t0,
			Actor: audit.Actor{User: "sentinel"}})
	}

	var got []detect.Alert
	waitFor(t, "sentinel", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		got = append([]detect.Alert(nil), w.alerts...)
		return len(got) > 0 && got[len(got)-1].Subject.User == "sentinel"
	})

	w.mu.Lock()
	w.alerts = nil
	w.mu.Unlock()

	return got[:len(got)-1]
}

func failed(user, src string, at time.Duration) audit.Event {
	return audit.Event{Kind: detect.KindLogin, Decision: "deny", Time: t0.Add(at),
		Actor: audit.Actor{User: user}, SourceAddr: src}
}

func rules(alerts []detect.Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Rule+"/"+a.Severity.String())
	}
	return out
}

func TestBruteForce(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{
		BruteForce: detect.Threshold{Count: 5, Window: 5 * time.Minute},
	})

	// Five failures spread over six minutes: never five within five.
	for i := range 5 {
		w.emit(failed("alice", "198.51.100.1", time.Duration(i)*90*time.Second))
	}
	if got := w.settle(t); len(got) != 0 {
		t.Fatalf("slow failures raised %v", rules(got))
	}

	for i := range 5 {
		w.emit(failed("bob", "198.51.100.2:5000", 10*time.Minute+time.Duration(i)*time.Second))
	}
	got := w.settle(t)
	if len(got) != 1 || got[0].Rule != "brute_force.account" ||
		got[0].Severity != detect.SeverityHigh || got[0].Subject.User != "bob" ||
		got[0].Source != detect.SourceBruteForce {
		t.Fatalf("alerts = %+v", got)
	}
}

// Password spraying: one source, many accounts, none of them five times.
func TestBruteForceBySource(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})

	for i := range 20 {
		w.emit(failed("user"+strconv.Itoa(i), "203.0.113.7:"+strconv.Itoa(40000+i),
			time.Duration(i)*time.Second))
	}

	got := w.settle(t)
	if len(got) != 1 || got[0].Rule != "brute_force.source" ||
		got[0].Subject.SourceAddr == "" || got[0].Subject.User != "" {
		t.Fatalf("alerts = %+v", got)
	}
}

func denied(actor audit.Actor, at time.Duration) audit.Event {
	return audit.Event{Kind: detect.KindDecision, Decision: "deny", Time: t0.Add(at),
		Actor: actor, Action: "things.read"}
}

func TestDenialBurst(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})
	mallory := audit.Actor{User: "mallory", Session: "s-m"}
	worker := audit.Actor{Workload: "spiffe://example.org/worker"}

	for i := range 9 {
		w.emit(denied(mallory, time.Duration(i)*time.Second))
	}
	w.emit(denied(audit.Actor{}, 10*time.Second)) // anonymous: not counted
	if got := w.settle(t); len(got) != 0 {
		t.Fatalf("nine denials raised %v", rules(got))
	}

	w.emit(denied(mallory, 11*time.Second))
	for i := range 10 {
		w.emit(denied(worker, time.Duration(i)*time.Second))
	}

	got := w.settle(t)
	if len(got) != 2 || got[0].Subject.Session != "s-m" ||
		got[1].Subject.Workload != worker.Workload {
		t.Fatalf("alerts = %+v", got)
	}
	if got[0].Attributes["count"] != "10" || got[0].Attributes["window"] != "1m0s" {
		t.Errorf("attributes = %v", got[0].Attributes)
	}
}

func read(user, id string, at time.Duration) audit.Event {
	return audit.Event{Kind: detect.KindDecision, Decision: "allow", Time: t0.Add(at),
		Actor: audit.Actor{User: user}, Resource: audit.Resource{Type: "transaction", ID: id}}
}

func TestEnumeration(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})

	// The same few resources over and over is normal work.
	for i := range 500 {
		w.emit(read("alice", "t"+strconv.Itoa(i%10), time.Duration(i)*time.Millisecond))
	}
	if got := w.settle(t); len(got) != 0 {
		t.Fatalf("repeated reads raised %v", rules(got))
	}

	for i := range 120 {
		w.emit(read("auditor", "t"+strconv.Itoa(i), time.Duration(i)*time.Second))
	}
	got := w.settle(t)
	if len(got) != 1 || got[0].Rule != "enumeration" || got[0].Subject.User != "auditor" {
		t.Fatalf("alerts = %v, want one enumeration alert per window", rules(got))
	}
}

func TestNewSource(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})
	login := func(addr string) audit.Event {
		return audit.Event{Kind: detect.KindLogin, Decision: "allow", Time: t0,
			Actor: audit.Actor{User: "alice", Session: "s1"}, SourceAddr: addr}
	}

	w.emit(login("198.51.100.7:1234"), login("198.51.100.99"), login("not an address"))
	if got := w.settle(t); len(got) != 0 {
		t.Fatalf("known network raised %v", rules(got))
	}

	w.emit(login("[2001:db8:1::5]:443"))
	got := w.settle(t)
	if len(got) != 1 || got[0].Severity != detect.SeverityLow ||
		got[0].Attributes["network"] != "2001:db8:1::/48" {
		t.Fatalf("alerts = %+v", got)
	}
}

func TestDisabledDetectors(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{
		DenialBurst: detect.Threshold{Count: -1},
		Enumeration: detect.Threshold{Count: -1},
		NoNewSource: true,
	})

	for i := range 100 {
		w.emit(denied(audit.Actor{User: "x"}, time.Duration(i)))
		w.emit(read("y", strconv.Itoa(i), time.Duration(i)))
	}
	w.emit(read("z", "1", 0))

	if got := w.settle(t); len(got) != 0 {
		t.Fatalf("disabled detectors raised %v", rules(got))
	}
}

func TestMonitorDropsWhenQueueFull(t *testing.T) {
	m := detect.NewMonitor(detect.MonitorConfig{
		Queue: 1,
		Handler: detect.HandlerFunc(func(_ context.Context, a detect.Alert) (detect.Alert, error) {
			return a, nil
		}),
	})

	// Run is not running: the first alert waits, the next two are dropped.
	batch := make([]audit.Event, 0, 15)
	for i := range 15 {
		batch = append(batch, failed("u", "", time.Duration(i)))
	}
	if err := m.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}

	if got := m.Dropped(); got != 2 {
		t.Errorf("Dropped = %d, want 2", got)
	}
}

// The Monitor works as a sink of the real audit pipeline.
func TestMonitorBehindPipeline(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})
	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{{Name: "detect", Sink: w.m}}})
	if err != nil {
		t.Fatal(err)
	}

	for i := range 5 {
		if err := p.Emit(context.Background(), failed("eve", "", time.Duration(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	if got := w.settle(t); len(got) != 1 || got[0].Subject.User != "eve" {
		t.Fatalf("alerts = %v", rules(got))
	}
}

// A successful sign-in from a source that was brute forcing is a likely
// compromise, flagged as critical with the new session.
func TestBruteForceSuccess(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{})
	login := func(user, session, addr string, at time.Duration) audit.Event {
		return audit.Event{Kind: detect.KindLogin, Decision: "allow", Time: t0.Add(at),
			Actor: audit.Actor{User: user, Session: session}, SourceAddr: addr}
	}

	for i := range 5 {
		w.emit(failed("alice", "203.0.113.7:"+strconv.Itoa(1000+i), time.Duration(i)*time.Second))
	}
	w.emit(login("bob", "s-bob", "198.51.100.1", 10*time.Second))
	w.emit(login("alice", "s-new", "203.0.113.7:2000", 20*time.Second))
	w.emit(login("carol", "s-late", "203.0.113.7:3000", 2*time.Hour))

	got := w.settle(t)
	if len(got) != 2 || got[0].Rule != "brute_force.account" {
		t.Fatalf("alerts = %v", rules(got))
	}
	a := got[1]
	if a.Source != detect.SourceBruteForceSuccess || a.Severity != detect.SeverityCritical ||
		a.Subject.Session != "s-new" || a.Subject.User != "alice" {
		t.Errorf("alert = %+v", a)
	}
}

func signIn(user, session, addr string, at time.Duration) audit.Event {
	return audit.Event{Kind: detect.KindLogin, Decision: "allow", Time: t0.Add(at),
		Actor: audit.Actor{User: user, Session: session}, SourceAddr: addr}
}

// A sign-in to another account from an address that brute-forced one
// account is only worth a look: people share addresses (NAT, a proxy, an
// office), and revoking them all would let an attacker lock out whoever
// shares theirs.
func TestBruteForceNearby(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{NoNewSource: true})

	for i := range 5 {
		w.emit(failed("alice", "203.0.113.7:"+strconv.Itoa(1000+i), time.Duration(i)*time.Second))
	}
	w.emit(signIn("admin", "s-admin", "203.0.113.7:2000", 10*time.Second))
	w.emit(signIn("alice", "s-alice", "203.0.113.7:2001", 20*time.Second))

	got := w.settle(t)
	want := []string{"brute_force.account/high", "brute_force.nearby/medium",
		"brute_force.success/critical"}
	if g := rules(got); !slices.Equal(g, want) {
		t.Fatalf("alerts = %v, want %v", g, want)
	}

	if got[1].Source != detect.SourceBruteForceNearby || got[1].Subject.User != "admin" {
		t.Errorf("nearby alert = %+v", got[1])
	}

	responder, err := detect.NewResponder(detect.ResponderConfig{})
	if err != nil {
		t.Fatal(err)
	}

	r, ok := responder.Decide(&got[1])
	if !ok || len(r.Actions) != 1 || r.Actions[0].Kind != detect.Notify {
		t.Errorf("the default rules answer a nearby sign-in with %+v, want a notification", r)
	}
}

// After spraying many accounts, a sign-in to any account from the source is
// a likely compromise: the attacker may have found one password.
func TestSpraySuccess(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{NoNewSource: true})

	for i := range 20 {
		w.emit(failed("user"+strconv.Itoa(i), "203.0.113.9", time.Duration(i)*time.Second))
	}
	w.emit(signIn("carol", "s-carol", "203.0.113.9", time.Minute))

	if g := rules(w.settle(t)); !slices.Equal(g, []string{"brute_force.source/high",
		"brute_force.success/critical"}) {
		t.Fatalf("alerts = %v", g)
	}
}

// Forget, the Responder's OnLift hook, ends the episode: the account signs
// in again from the address without being taken for the attacker.
func TestForgetEndsTheEpisode(t *testing.T) {
	w := newWatch(t, detect.MonitorConfig{NoNewSource: true})

	for i := range 5 {
		w.emit(failed("alice", "203.0.113.7", time.Duration(i)*time.Second))
	}
	got := w.settle(t)
	if len(got) != 1 {
		t.Fatalf("alerts = %v", rules(got))
	}

	w.m.Forget(&got[0])
	w.emit(signIn("alice", "s-alice", "203.0.113.7", time.Minute))
	w.emit(failed("alice", "203.0.113.7", 2*time.Minute))

	if g := rules(w.settle(t)); len(g) != 0 {
		t.Fatalf("after Forget: %v", g)
	}
}
