package detect_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/revoke"
)

var operator = audit.Actor{User: "admin-1"}

func TestLiftWithdrawsQuarantineAndRisk(t *testing.T) {
	h := newHarness(t, nil)
	w := "spiffe://example.org/web"
	ctx := context.Background()

	h.handle(t, shell("a1", w))
	h.clock.Add(time.Minute)
	events := len(h.audit.events)

	got, err := h.r.Lift(ctx, "a1", operator)
	if err != nil {
		t.Fatalf("Lift: %v", err)
	}

	if s := summary(got); s != "quarantine:lifted raise_risk:lifted" {
		t.Fatalf("outcomes after the lift %q", s)
	}

	if _, ok := h.revoked.Revoked(revoke.Workload, w); ok {
		t.Fatal("the quarantine is still in force")
	}

	p := &zt.Principal{Workload: &zt.Workload{ID: w}}
	if risk, _ := h.risk.Risk(ctx, p); risk.Score != 0 {
		t.Fatalf("risk after the lift = %+v", risk)
	}

	stored, err := h.alerts.Get(ctx, "a1")
	if err != nil || summary(stored) != summary(got) ||
		!stored.Outcomes[0].Lifted.Equal(t0.Add(time.Minute)) {
		t.Fatalf("stored alert %+v, %v", stored.Outcomes, err)
	}

	lifts := h.audit.events[events:]
	if len(lifts) != 2 {
		t.Fatalf("%d audit events for the lift, want 2", len(lifts))
	}

	e := lifts[0]
	if e.Action != "detect.lift.quarantine" || e.Actor != operator || e.Resource.ID != w ||
		e.Attributes["alert_id"] != "a1" || e.Attributes["outcome"] != "lifted" {
		t.Fatalf("lift event %+v", e)
	}

	// A second lift changes nothing and records nothing.
	if again, err := h.r.Lift(ctx, "a1", operator); err != nil || summary(again) != summary(got) {
		t.Fatalf("second Lift = %q, %v", summary(again), err)
	}

	if len(h.audit.events) != events+2 {
		t.Fatal("a second lift was audited")
	}
}

func TestLiftUsesTheRevokersLift(t *testing.T) {
	l := &countingLifter{}
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.Revoker = l
	})

	h.handle(t, shell("a1", "spiffe://example.org/web"))

	if _, err := h.r.Lift(context.Background(), "a1", operator); err != nil {
		t.Fatal(err)
	}

	if l.lifts != 1 || l.kind != revoke.Workload {
		t.Fatalf("the Revoker lifted %d times (%v), want once the workload", l.lifts, l.kind)
	}
}

func TestLiftFailureLeavesOutcomeForRetry(t *testing.T) {
	l := &countingLifter{err: zt.ErrUnavailable}
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.Revoker = l
	})
	ctx := context.Background()

	h.handle(t, shell("a1", "spiffe://example.org/web"))

	got, err := h.r.Lift(ctx, "a1", operator)
	if !errors.Is(err, zt.ErrUnavailable) {
		t.Fatalf("Lift error %v, want one that matches zt.ErrUnavailable", err)
	}

	if s := summary(got); s != "quarantine:taken raise_risk:lifted" {
		t.Fatalf("outcomes %q: the failed lift must stay taken", s)
	}

	l.err = nil
	if got, err = h.r.Lift(ctx, "a1", operator); err != nil ||
		summary(got) != "quarantine:lifted raise_risk:lifted" {
		t.Fatalf("retry = %q, %v", summary(got), err)
	}
}

func TestLiftLeavesLapsedAndSkippedOutcomes(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) { c.DryRun = true })
	ctx := context.Background()

	h.handle(t, shell("dry", "spiffe://example.org/web"))

	got, err := h.r.Lift(ctx, "dry", operator)
	if err != nil || summary(got) != "quarantine:dry_run raise_risk:dry_run" {
		t.Fatalf("Lift of a dry-run alert = %q, %v", summary(got), err)
	}

	h2 := newHarness(t, nil)
	h2.handle(t, shell("old", "spiffe://example.org/web"))
	h2.clock.Add(time.Hour)

	if got, err := h2.r.Lift(ctx, "old", operator); err != nil ||
		summary(got) != "quarantine:taken raise_risk:taken" {
		t.Fatalf("Lift of a lapsed alert = %q, %v", summary(got), err)
	}
}

func TestLiftUnknownAlert(t *testing.T) {
	h := newHarness(t, nil)

	if _, err := h.r.Lift(context.Background(), "nope", operator); !errors.Is(err,
		detect.ErrAlertNotFound) {
		t.Fatalf("Lift of an unknown alert: %v", err)
	}

	r, err := detect.NewResponder(detect.ResponderConfig{})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := r.Lift(context.Background(), "a1", operator); !errors.Is(err,
		detect.ErrNoAlertStore) {
		t.Fatalf("Lift without a store: %v", err)
	}
}

// countingLifter is a Revoker and Lifter that records lifts and can fail.
type countingLifter struct {
	lifts int
	kind  revoke.Kind
	err   error
}

func (c *countingLifter) Revoke(context.Context, ...revoke.Entry) error { return nil }

func (c *countingLifter) Lift(_ context.Context, k revoke.Kind, _ string) (bool, error) {
	if c.err != nil {
		return false, c.err
	}

	c.lifts++
	c.kind = k

	return true, nil
}

func TestOnLiftIsCalledOncePerLift(t *testing.T) {
	var seen []string
	h := newHarness(t, func(c *detect.ResponderConfig) {
		c.OnLift = func(_ context.Context, a detect.Alert) {
			seen = append(seen, a.ID+" "+a.Outcomes[0].String())
		}
	})
	ctx := context.Background()

	h.handle(t, shell("a1", "spiffe://example.org/web"))

	for range 2 {
		if _, err := h.r.Lift(ctx, "a1", operator); err != nil {
			t.Fatal(err)
		}
	}

	if len(seen) != 1 || seen[0] != "a1 quarantine:lifted" {
		t.Fatalf("OnLift saw %q, want the one lift that withdrew something", seen)
	}
}

// TestRestoreAfterRestart: a new Responder, with empty revocation and risk
// state but the same alert store, puts back what is still in force.
func TestRestoreAfterRestart(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	w := "spiffe://example.org/web"

	h.handle(t, shell("live", w))
	h.handle(t, shell("lifted", "spiffe://example.org/api"))
	if _, err := h.r.Lift(ctx, "lifted", operator); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(5 * time.Minute)

	// The restart: fresh state, the same store and clock.
	list := revoke.NewList(revoke.Config{Now: h.clock.Now})
	risk := detect.NewRiskStore(detect.RiskConfig{Now: h.clock.Now})
	r, err := detect.NewResponder(detect.ResponderConfig{Revocations: list, Risk: risk,
		Alerts: h.alerts, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	n, err := r.Restore(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Restore = %d, %v; want the live alert's quarantine and risk raise", n, err)
	}

	e, ok := list.Revoked(revoke.Workload, w)
	if !ok || !e.Expires.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("quarantine after the restart: %+v, %v", e, ok)
	}

	if _, ok := list.Revoked(revoke.Workload, "spiffe://example.org/api"); ok {
		t.Fatal("a lifted quarantine came back")
	}

	if got, _ := risk.Risk(ctx, &zt.Principal{Workload: &zt.Workload{ID: w}}); got.Score != 80 {
		t.Fatalf("risk after the restart: %+v, want 80", got)
	}

	// Lapsed actions stay lapsed.
	h.clock.Add(2 * time.Hour)
	if n, err := r.Restore(ctx); err != nil || n != 0 {
		t.Fatalf("Restore after everything lapsed = %d, %v", n, err)
	}
}

// revokeOnly is a Revoker that cannot lift.
type revokeOnly struct{}

func (revokeOnly) Revoke(context.Context, ...revoke.Entry) error { return nil }

func TestLiftRefusesARevokerThatCannotLift(t *testing.T) {
	h := newHarness(t, func(c *detect.ResponderConfig) { c.Revoker = revokeOnly{} })
	h.handle(t, shell("a1", "spiffe://example.org/web"))

	got, err := h.r.Lift(context.Background(), "a1", operator)
	if err == nil || summary(got) != "quarantine:taken raise_risk:lifted" {
		t.Fatalf("Lift = %q, %v; want the quarantine kept and an error", summary(got), err)
	}
}
