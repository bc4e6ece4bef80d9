package detect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// ErrNoAlertStore is returned by Responder.Lift when the Responder has no
// Store to find the alert in.
var ErrNoAlertStore = errors.New("detect: no alert store configured")

// Lift withdraws, before they lapse, the actions that the Responder took for
// the alert with the given ID: an operator has looked at it and found it
// benign, or has dealt with its cause. Quarantines and revocations are lifted
// through the Revoker, which must also be a Lifter (ListRevoker is; a
// *redissync.Replicator lifts on every replica); risk raises are cleared from
// every facet of the alert's subject. Each lifted outcome gets its Lifted
// time, the alert is stored again, and one audit event per lifted outcome
// names by as its actor.
//
// Lift is idempotent: outcomes already lifted, skipped or lapsed are left
// alone. It returns the alert as stored, or an error that matches
// ErrAlertNotFound or ErrNoAlertStore, or says which lift, store or audit
// step failed (an outcome whose lift failed stays unlifted, so a retry
// completes it).
//
// Revocations are kept per principal, not per alert: lifting one alert
// lifts a quarantine that a later alert about the same workload extended,
// and clearing risk clears raises that other alerts added.
func (r *Responder) Lift(ctx context.Context, id string, by audit.Actor) (Alert, error) {
	if r.cfg.Alerts == nil {
		return Alert{}, ErrNoAlertStore
	}

	r.liftMu.Lock()
	defer r.liftMu.Unlock()

	a, err := r.cfg.Alerts.Get(ctx, id)
	if err != nil {
		return Alert{}, fmt.Errorf("detect: lift %q: %w", id, err)
	}

	now := r.cfg.Now()

	var lifted []Outcome
	var errs []error
	for i := range a.Outcomes {
		o := &a.Outcomes[i]
		if !o.Taken || !o.Lifted.IsZero() || !o.Until.After(now) {
			continue
		}

		if err := r.lift(ctx, &a, o); err != nil {
			errs = append(errs, err)
			continue
		}

		o.Lifted = now
		lifted = append(lifted, *o)
	}

	if len(lifted) == 0 {
		return a, errors.Join(errs...)
	}

	errs = append(errs, r.store(ctx, a))
	for _, o := range lifted {
		errs = append(errs, r.auditLift(ctx, &a, o, by, now))
	}

	if r.cfg.OnLift != nil {
		r.cfg.OnLift(ctx, a)
	}

	return a, errors.Join(errs...)
}

// lift withdraws one taken outcome of a.
func (r *Responder) lift(ctx context.Context, a *Alert, o *Outcome) error {
	if o.Action == RaiseRisk.String() {
		if r.cfg.Risk != nil {
			for _, k := range a.Subject.keys() {
				r.cfg.Risk.Clear(k)
			}
		}

		return nil
	}

	kind, ok := revokeKindOf(o.Action)
	if !ok {
		return nil
	}

	// A Revoker that cannot lift is refused rather than worked around: a
	// local lift behind its back would come back at its next sync.
	var err error
	if l, ok := r.cfg.Revoker.(Lifter); ok {
		_, err = l.Lift(ctx, kind, o.Target)
	} else {
		err = errors.New("the revoker cannot lift")
	}

	if err != nil {
		r.log(ctx, "lift "+o.Action, err)
		return fmt.Errorf("detect: lift %s of alert %q: %w", o.Action, a.ID, err)
	}

	return nil
}

// auditLift records that by lifted o.
func (r *Responder) auditLift(ctx context.Context, a *Alert, o Outcome, by audit.Actor,
	now time.Time) error {
	if r.cfg.Audit == nil {
		return nil
	}

	e := r.event(a, o, now)
	e.Kind = "response.lift"
	e.Actor = by
	e.Action = "detect.lift." + o.Action
	e.Reasons = []string{"detect.lift"}
	e.Attributes["outcome"] = "lifted"

	if err := r.cfg.Audit.Emit(ctx, e); err != nil {
		r.log(ctx, "audit lift", err)
		return fmt.Errorf("detect: audit lift: %w", err)
	}

	return nil
}
