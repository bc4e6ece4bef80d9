package detect

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxRestoreAge bounds how far back Restore looks for alerts whose actions
// may still be in force.
const MaxRestoreAge = 7 * 24 * time.Hour

// Restore re-applies, when a service starts, the actions of stored alerts
// that are still in force: a restart must not release a quarantined
// workload or a revoked session, nor forget a raised risk. Revocations and
// quarantines go to the Revoker again with their original expiry (applying
// an entry that is already there changes nothing); risk raises go to the
// RiskStore for what is left of them. Lifted, skipped and lapsed outcomes
// are left alone, and nothing is audited again: the trail recorded the
// actions when they were taken.
//
// It looks at the alerts of the last MaxRestoreAge that the Store lists (a
// Store caps a listing: sqlstore at its MaxList), and returns how many
// actions it restored. Call it once at start, before serving requests.
func (r *Responder) Restore(ctx context.Context) (int, error) {
	if r.cfg.Alerts == nil {
		return 0, ErrNoAlertStore
	}

	now := r.cfg.Now()

	alerts, err := r.cfg.Alerts.List(ctx, Query{Since: now.Add(-MaxRestoreAge)})
	if err != nil {
		return 0, fmt.Errorf("detect: restore: %w", err)
	}

	restored := 0
	var errs []error
	for i := range alerts {
		a := &alerts[i]
		for j := range a.Outcomes {
			o := &a.Outcomes[j]
			if !o.Taken || !o.Lifted.IsZero() || !o.Until.After(now) {
				continue
			}

			ok, err := r.restore(ctx, a, o, now)
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				restored++
			}
		}
	}

	return restored, errors.Join(errs...)
}

// restore re-applies one outcome in force, and reports whether it did.
func (r *Responder) restore(ctx context.Context, a *Alert, o *Outcome, now time.Time) (bool,
	error) {
	if o.Action == RaiseRisk.String() {
		if r.cfg.Risk == nil {
			return false, nil
		}

		r.raise(a, Action{Kind: RaiseRisk, Points: o.Points}, o.Until.Sub(now))

		return true, nil
	}

	kind, ok := revokeKindOf(o.Action)
	if !ok || r.cfg.Revoker == nil {
		return false, nil
	}

	if err := r.cfg.Revoker.Revoke(ctx, entryOf(a, kind, o)); err != nil {
		r.log(ctx, "restore "+o.Action, err)
		return false, fmt.Errorf("detect: restore %s of alert %q: %w", o.Action, a.ID, err)
	}

	return true, nil
}
