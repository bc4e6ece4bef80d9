package detect

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/revoke"
)

// revokeKinds maps the revoking actions to the facet they revoke.
var revokeKinds = map[ActionKind]revoke.Kind{
	Quarantine:    revoke.Workload,
	RevokeSession: revoke.Session,
	RevokeSubject: revoke.Subject,
	RevokeDevice:  revoke.Device,
}

// revokeKindOf returns the facet that the revoking action named action
// revokes.
func revokeKindOf(action string) (revoke.Kind, bool) {
	for k, kind := range revokeKinds {
		if k.String() == action {
			return kind, true
		}
	}

	return 0, false
}

// target returns what act applies to in s.
func target(k ActionKind, s *Subject) string {
	switch k {
	case Quarantine:
		return s.Workload
	case RevokeSession:
		return s.Session
	case RevokeSubject:
		return s.User
	case RevokeDevice:
		return s.Device
	case RaiseRisk:
		for _, k := range s.keys() {
			return k.Value
		}
	}

	return ""
}

// act carries out one action, or says why it did not.
func (r *Responder) act(ctx context.Context, a *Alert, act Action, protected string,
	now time.Time) (Outcome, error) {
	o := Outcome{Action: act.Kind.String(), Target: target(act.Kind, &a.Subject)}
	if act.Kind == Notify {
		o.Taken = true
		return o, nil
	}

	d := act.For
	if d == 0 {
		d = DefaultActionDuration
	}
	o.Until = now.Add(d)

	switch {
	case o.Target == "":
		o.Skipped = SkipNoTarget
	case protected != "":
		o.Skipped = protected
	case act.Kind == RaiseRisk && r.cfg.Risk == nil,
		act.Kind != RaiseRisk && r.cfg.Revoker == nil:
		o.Skipped = SkipUnconfigured
	case act.Kind != RaiseRisk && r.active(act.Kind, o.Target, o.Until):
		o.Skipped = SkipAlreadyActive
	case r.cfg.DryRun:
		o.Skipped = SkipDryRun
	case act.Kind.disruptive() && !r.allow(now):
		o.Skipped = SkipRateLimited
	}
	if o.Skipped != "" {
		return o, nil
	}

	if act.Kind == RaiseRisk {
		o.Points = r.raise(a, act, d)
		o.Taken = true
		return o, nil
	}

	err := r.cfg.Revoker.Revoke(ctx, entryOf(a, revokeKinds[act.Kind], &o))
	if err != nil {
		o.Skipped = SkipFailed
		return o, fmt.Errorf("detect: %s %s: %w", act.Kind, o.Target, err)
	}
	o.Taken = true

	return o, nil
}

// entryOf is the revocation of an outcome of a.
func entryOf(a *Alert, k revoke.Kind, o *Outcome) revoke.Entry {
	return revoke.Entry{
		Kind:    k,
		Value:   o.Target,
		Expires: o.Until,
		Reason:  "detect." + a.Source + ":" + a.Rule,
	}
}

// active reports whether target is already revoked until at least until.
func (r *Responder) active(k ActionKind, target string, until time.Time) bool {
	if r.cfg.Revocations == nil {
		return false
	}

	e, ok := r.cfg.Revocations.Revoked(revokeKinds[k], target)

	return ok && !e.Expires.Before(until)
}

// raise adds the action's points to the risk of every facet of a's subject
// for d, and returns the points.
func (r *Responder) raise(a *Alert, act Action, d time.Duration) int {
	points := act.Points
	if points == 0 {
		points = DefaultRiskPoints
	}

	signal := a.Source
	if a.Source == SourceFalco {
		signal = "falco:" + a.Rule
	}

	for _, k := range a.Subject.keys() {
		r.cfg.Risk.Raise(k, points, signal, d)
	}

	return points
}

// audit emits one event per outcome of a.
func (r *Responder) audit(ctx context.Context, a *Alert, now time.Time) error {
	if r.cfg.Audit == nil {
		return nil
	}

	for _, o := range a.Outcomes {
		if err := r.cfg.Audit.Emit(ctx, r.event(a, o, now)); err != nil {
			r.log(ctx, "audit response", err)
			return fmt.Errorf("detect: audit: %w", err)
		}
	}

	return nil
}

func (r *Responder) event(a *Alert, o Outcome, now time.Time) audit.Event {
	outcome, reasons := "taken", []string{"detect." + o.Action}
	if !o.Taken {
		outcome = "skipped"
		reasons = append(reasons, "detect.skipped."+o.Skipped)
	}

	attrs := map[string]string{
		"alert_id":  a.ID,
		"alert_src": a.Source,
		"rule":      a.Rule,
		"severity":  a.Severity.String(),
		"outcome":   outcome,
		"dry_run":   strconv.FormatBool(r.cfg.DryRun),
	}
	if o.Rule != "" {
		attrs["response_rule"] = o.Rule
	}
	if !o.Until.IsZero() {
		attrs["until"] = o.Until.UTC().Format(time.RFC3339)
	}

	return audit.Event{
		ID:         eventID(),
		Time:       now,
		Kind:       "response",
		Actor:      audit.Actor{Workload: r.cfg.Self},
		Action:     "detect." + o.Action,
		Resource:   audit.Resource{Type: resourceType(o.Action), ID: o.Target},
		Reasons:    reasons,
		SourceAddr: a.Subject.SourceAddr,
		Attributes: attrs,
	}
}

func resourceType(action string) string {
	switch action {
	case "quarantine":
		return "workload"
	case "revoke_session":
		return "session"
	case "revoke_subject":
		return "user"
	case "revoke_device":
		return "device"
	}

	return "alert"
}
