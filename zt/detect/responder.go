package detect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/revoke"
)

// Revoker applies revocation entries; *redissync.Replicator satisfies it,
// and ListRevoker adapts a *revoke.List.
type Revoker interface {
	Revoke(ctx context.Context, entries ...revoke.Entry) error
}

// Lifter withdraws a revocation before it expires. A Revoker that is also a
// Lifter (*redissync.Replicator, ListRevoker) lifts what it revoked when an
// operator calls Responder.Lift.
type Lifter interface {
	Lift(ctx context.Context, k revoke.Kind, value string) (bool, error)
}

// ListRevoker returns a Revoker and Lifter that applies entries to l alone.
func ListRevoker(l *revoke.List) Revoker {
	return listRevoker{l}
}

type listRevoker struct{ l *revoke.List }

func (r listRevoker) Revoke(_ context.Context, entries ...revoke.Entry) error {
	return r.l.RevokeAll(entries)
}

func (r listRevoker) Lift(_ context.Context, k revoke.Kind, value string) (bool, error) {
	return r.l.Lift(k, value)
}

// RateLimit caps the disruptive actions (quarantines and revocations) that a
// Responder takes in a sliding window, so that a flood of alerts, or an
// attacker who triggers them on purpose, cannot take a whole service down.
type RateLimit struct {
	// Actions is the number allowed per window; zero means
	// DefaultRateLimit.Actions, below zero means no limit.
	Actions int `json:"actions"`

	// Per is the window; zero means DefaultRateLimit.Per.
	Per time.Duration `json:"per"`
}

// DefaultRateLimit allows 20 disruptive actions a minute.
var DefaultRateLimit = RateLimit{Actions: 20, Per: time.Minute}

// DefaultDedupWindow is how long a Responder remembers an alert ID.
const DefaultDedupWindow = time.Hour

// ResponderConfig configures a Responder. Its zero value records alerts
// without taking any action that needs a missing dependency.
type ResponderConfig struct {
	// Rules is the response table; the first row that matches decides. Nil
	// means DefaultRules(); an empty non-nil table only records alerts.
	Rules []Rule

	// Revocations is the live revocation state that quarantines and
	// revocations go to, and that tells whether one is already in force.
	// Nil skips those actions with the reason "unconfigured".
	Revocations *revoke.List

	// Revoker applies entries instead of Revocations itself, for example a
	// *redissync.Replicator that shares them with every replica. Nil applies
	// them to Revocations.
	Revoker Revoker

	// Risk receives risk raises. Nil skips them with "unconfigured".
	Risk *RiskStore

	// Alerts stores every alert with its outcomes. Nil stores nothing.
	Alerts Store

	// Audit receives one event per outcome, taken or skipped. Nil records
	// nothing.
	Audit audit.Emitter

	// Self is the SPIFFE ID of the workload that runs this Responder; it is
	// protected like everything in Protect.
	Self string

	// Protect adds to DefaultProtection.
	Protect Protection

	// DryRun decides and records every response without acting: each would-be
	// action is reported as skipped with the reason "dry_run".
	DryRun bool

	// RateLimit caps disruptive actions; its zero value is DefaultRateLimit.
	RateLimit RateLimit

	// DedupWindow is how long an alert ID is remembered so that a second
	// delivery does not act again; zero means DefaultDedupWindow.
	DedupWindow time.Duration

	// OnLift, when set, is called after Lift withdrew at least one action of
	// an alert, with the alert as stored: the place to make the detectors
	// forget its subject (Monitor.Forget), or to undo effects the Responder
	// does not own (an account lockout).
	OnLift func(ctx context.Context, a Alert)

	// Logger receives errors from Store and Audit. Nil logs nothing.
	Logger *slog.Logger

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// The reasons an Outcome was skipped.
const (
	SkipDryRun        = "dry_run"
	SkipDuplicate     = "duplicate"
	SkipRateLimited   = "rate_limited"
	SkipNoTarget      = "no_target"
	SkipUnconfigured  = "unconfigured"
	SkipAlreadyActive = "already_active"
	SkipFailed        = "failed"
)

// Outcome is what a Responder did, or decided not to do, about an alert.
type Outcome struct {
	// Rule is the name of the response table row that decided; empty when
	// none matched.
	Rule string `json:"rule,omitempty"`

	// Action is the action's name, for example "quarantine".
	Action string `json:"action"`

	// Target is what the action applies to (a SPIFFE ID, a session ID).
	Target string `json:"target,omitempty"`

	// Taken reports whether the action was applied.
	Taken bool `json:"taken"`

	// Skipped is the reason the action was not applied, one of the Skip
	// constants or a "protected.*" code.
	Skipped string `json:"skipped,omitempty"`

	// Until is when a quarantine, revocation or risk raise lapses.
	Until time.Time `json:"until,omitzero"`

	// Lifted is when an operator withdrew the action before Until, through
	// Responder.Lift; zero while it stands.
	Lifted time.Time `json:"lifted,omitzero"`

	// Points is what a risk raise added to the score, so that Restore can
	// raise it again.
	Points int `json:"points,omitempty"`
}

// String returns "action:taken", "action:lifted" for an action withdrawn
// early, or "action:reason" for a skipped action, for example
// "quarantine:protected.namespace".
func (o Outcome) String() string {
	if o.Taken && !o.Lifted.IsZero() {
		return o.Action + ":lifted"
	}

	if o.Taken {
		return o.Action + ":taken"
	}

	return o.Action + ":" + o.Skipped
}

// Responder decides and carries out the response to each alert by its rule
// table, through the revocation state and the risk store. It is safe for
// concurrent use.
type Responder struct {
	cfg     ResponderConfig
	protect Protection
	limit   RateLimit
	dedup   time.Duration

	liftMu sync.Mutex // serializes Lift's read, modify and store of an alert

	mu      sync.Mutex
	seen    map[string]int64
	actions []int64 // times of recent disruptive actions, oldest first
}

// maxSeen bounds the alert IDs a Responder remembers.
const maxSeen = 100_000

// NewResponder returns a Responder for cfg.
func NewResponder(cfg ResponderConfig) (*Responder, error) {
	if cfg.Rules == nil {
		cfg.Rules = DefaultRules()
	}
	if err := validateRules(cfg.Rules); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Revoker == nil && cfg.Revocations != nil {
		cfg.Revoker = ListRevoker(cfg.Revocations)
	}

	r := &Responder{
		cfg:     cfg,
		protect: DefaultProtection().merge(cfg.Protect),
		limit:   cfg.RateLimit,
		dedup:   cfg.DedupWindow,
		seen:    make(map[string]int64),
	}
	if cfg.Self != "" {
		r.protect.Workloads = append(r.protect.Workloads, cfg.Self)
	}
	if r.limit.Actions == 0 {
		r.limit.Actions = DefaultRateLimit.Actions
	}
	if r.limit.Per <= 0 {
		r.limit.Per = DefaultRateLimit.Per
	}
	if r.dedup <= 0 {
		r.dedup = DefaultDedupWindow
	}

	return r, nil
}

// ErrInvalidRule is returned by NewResponder for a response table it cannot
// apply.
var ErrInvalidRule = errors.New("detect: invalid rule")

func validateRules(rules []Rule) error {
	for i, rule := range rules {
		if rule.Name == "" {
			return fmt.Errorf("%w: row %d has no name", ErrInvalidRule, i)
		}
		for _, a := range rule.Actions {
			switch {
			case a.Kind >= numActionKinds:
				return fmt.Errorf("%w: %s: unknown action %d", ErrInvalidRule, rule.Name, a.Kind)
			case a.For < 0 || a.Points < 0 || a.Points > 100:
				return fmt.Errorf("%w: %s: %s out of range", ErrInvalidRule, rule.Name, a.Kind)
			}
		}
	}

	return nil
}

// Decide returns the response table row that applies to a, or false when
// none does.
func (r *Responder) Decide(a *Alert) (Rule, bool) {
	for _, rule := range r.cfg.Rules {
		if rule.Match.matches(a) {
			return rule, true
		}
	}

	return Rule{}, false
}

// Handle responds to a: unless it has been seen within the dedup window, it
// carries out the actions of the first matching rule, stores the alert with
// its outcomes and emits an audit event for each outcome. It returns the
// alert with its Outcomes filled in. An error means that an action, the
// store or the audit trail failed; the outcomes say which.
func (r *Responder) Handle(ctx context.Context, a Alert) (Alert, error) {
	now := r.cfg.Now()
	if r.duplicate(a.ID, now) {
		a.Outcomes = []Outcome{{Action: Notify.String(), Skipped: SkipDuplicate}}
		return a, r.audit(ctx, &a, now)
	}

	rule, ok := r.Decide(&a)
	actions := rule.Actions
	if len(actions) == 0 {
		actions = []Action{{Kind: Notify}}
	}

	protected := r.protect.protects(&a.Subject)
	var errs []error
	a.Outcomes = make([]Outcome, 0, len(actions))
	for _, act := range actions {
		o, err := r.act(ctx, &a, act, protected, now)
		if ok {
			o.Rule = rule.Name
		}
		a.Outcomes = append(a.Outcomes, o)
		errs = append(errs, err)
	}

	errs = append(errs, r.store(ctx, a), r.audit(ctx, &a, now))

	return a, errors.Join(errs...)
}

// duplicate reports whether id was seen within the dedup window, and
// remembers it.
func (r *Responder) duplicate(id string, now time.Time) bool {
	if id == "" {
		return false
	}

	t := now.UnixNano()

	r.mu.Lock()
	defer r.mu.Unlock()

	if until, ok := r.seen[id]; ok && until > t {
		return true
	}

	if len(r.seen) >= maxSeen {
		r.forget(t)
	}
	r.seen[id] = t + int64(r.dedup)

	return false
}

// forget drops expired alert IDs, and half of the rest when that is not
// enough. The caller holds r.mu.
func (r *Responder) forget(now int64) {
	for id, until := range r.seen {
		if until <= now {
			delete(r.seen, id)
		}
	}

	for id := range r.seen {
		if len(r.seen) < maxSeen/2 {
			break
		}
		delete(r.seen, id)
	}
}

// allow takes one unit of the rate limit, or reports that none is left.
func (r *Responder) allow(now time.Time) bool {
	if r.limit.Actions < 0 {
		return true
	}

	t := now.UnixNano()
	floor := t - int64(r.limit.Per)

	r.mu.Lock()
	defer r.mu.Unlock()

	i := 0
	for i < len(r.actions) && r.actions[i] <= floor {
		i++
	}
	r.actions = r.actions[i:]

	if len(r.actions) >= r.limit.Actions {
		return false
	}
	r.actions = append(r.actions, t)

	return true
}

func (r *Responder) store(ctx context.Context, a Alert) error {
	if r.cfg.Alerts == nil {
		return nil
	}

	if err := r.cfg.Alerts.Add(ctx, a); err != nil {
		r.log(ctx, "store alert", err)
		return fmt.Errorf("detect: store alert: %w", err)
	}

	return nil
}

func (r *Responder) log(ctx context.Context, msg string, err error) {
	if r.cfg.Logger != nil {
		r.cfg.Logger.LogAttrs(ctx, slog.LevelError, "detect: "+msg,
			slog.String("error", err.Error()))
	}
}
