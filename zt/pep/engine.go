package pep

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/ztkit/ztkit/zt"
)

// Reason codes that the engine adds to a Decision, besides those of package zt.
const (
	// ReasonHookError means a before hook failed, so the input could not be
	// completed; it is a deny.
	ReasonHookError = "pep.hook_error"
	// ReasonObligationFailed means an after hook could not fulfil an
	// obligation; it is a deny.
	ReasonObligationFailed = "pep.obligation_failed"
	// ReasonMalformed means the policy returned a value that is not a
	// decision; it is a deny.
	ReasonMalformed = "policy.malformed"
)

// ErrUnknownEntrypoint is matched by the error of a decision or filter asked
// for a query that was not configured.
var ErrUnknownEntrypoint = errors.New("pep: unknown entrypoint")

// Engine decides requests with an embedded OPA. It compiles the policy once,
// prepares a query per entrypoint, and keeps serving the last good policy
// when a reload fails. It is safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger
	tel *telemetry

	mu  sync.Mutex // serializes loads and PIP updates
	cur atomic.Pointer[state]

	reloads  atomic.Uint64
	refusals atomic.Uint64

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// state is what decisions read: one policy, its store and prepared queries,
// and one version of the PIP data. It is replaced, never changed.
type state struct {
	pol      *policy
	store    storage.Store
	queries  map[string]*rego.PreparedEvalQuery
	filters  map[string]*preparedFilter
	pip      *pipData
	revision string
	cache    *decisionCache
}

// New loads, compiles and tests the configured policy and prepares its
// queries. It fails if the policy is refused. When cfg.ReloadInterval or
// cfg.Watch is set, New starts the background reload; Close stops it.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if err := validate(cfg); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	e := &Engine{cfg: cfg, log: cfg.Logger, stop: make(chan struct{})}
	tel, err := newTelemetry(cfg, e)
	if err != nil {
		return nil, err
	}
	e.tel = tel

	if err := e.load(ctx, &pipData{}); err != nil {
		return nil, err
	}
	var w *fsnotify.Watcher
	if cfg.Watch {
		if w, err = newWatcher(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.ReloadInterval > 0 || w != nil {
		e.done = make(chan struct{})
		go e.watch(cfg.ReloadInterval, w)
	}
	return e, nil
}

func validate(cfg Config) error {
	n := 0
	for _, set := range []bool{cfg.Policies != nil, cfg.Dir != "", cfg.Bundle != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("pep: exactly one of Config.Policies, Dir or Bundle must be set")
	}
	if cfg.Watch && cfg.Policies != nil {
		return errors.New("pep: Config.Watch needs Dir or Bundle")
	}
	return nil
}

// load compiles the policy (unless unchanged) and publishes a new state.
func (e *Engine) load(ctx context.Context, pip *pipData) error {
	var prev *policy
	if st := e.cur.Load(); st != nil {
		prev = st.pol
	}
	p, err := e.compilePolicy(ctx, prev)
	if err != nil || p == nil {
		return err
	}
	st, err := e.prepare(ctx, p, pip)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPolicyRefused, err)
	}
	e.cur.Store(st)
	return nil
}

// prepare builds the store and prepared queries of a policy.
func (e *Engine) prepare(ctx context.Context, p *policy, pip *pipData) (*state, error) {
	store, err := newStore(ctx, p, pip)
	if err != nil {
		return nil, err
	}
	st := &state{pol: p, store: store, pip: pip, queries: map[string]*rego.PreparedEvalQuery{}}
	for _, ep := range e.cfg.Entrypoints {
		ref, _ := entrypointRef(ep)
		pq, err := rego.New(
			rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(ref)))),
			rego.Compiler(p.compiler),
			rego.Store(store),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", ep, err)
		}
		st.queries[ep] = &pq
	}
	if st.filters, err = e.prepareFilters(ctx, p, store); err != nil {
		return nil, err
	}
	return e.withPIP(st, pip), nil
}

// withPIP returns a copy of st at pip's version, with an empty cache.
func (e *Engine) withPIP(st *state, pip *pipData) *state {
	next := *st
	next.pip = pip
	next.revision = fmt.Sprintf("%s+data.%d", st.pol.revision, pip.version)
	next.cache = nil
	if st.pol.cacheable && e.cfg.CacheSize > 0 {
		next.cache = newDecisionCache(e.cfg.CacheSize)
	}
	return &next
}

// Revision identifies the policy and PIP data version that decide now.
func (e *Engine) Revision() string {
	return e.cur.Load().revision
}

// Decide evaluates the first entrypoint for in and returns the decision.
// The decision denies unless the policy explicitly allowed; the error, when
// not nil, says why a deny was not the policy's own (evaluation error,
// timeout, hook failure) and is meant for logs.
//
// The values inside Decision.Obligations may be shared with the decision
// cache: read them, never modify them.
func (e *Engine) Decide(ctx context.Context, in *Input) (zt.Decision, error) {
	return e.DecideAt(ctx, e.cfg.Entrypoints[0], in)
}

// DecideAt is Decide for a named entrypoint among Config.Entrypoints; ""
// names the first.
func (e *Engine) DecideAt(ctx context.Context, entrypoint string, in *Input) (zt.Decision, error) {
	if entrypoint == "" {
		entrypoint = e.cfg.Entrypoints[0]
	}
	start := time.Now()
	ctx, span := e.tel.start(ctx, entrypoint)
	st := e.cur.Load()

	out, err := e.decide(ctx, st, entrypoint, in)
	d := zt.Decision{
		ID:          newID(),
		Allow:       out.allow && err == nil,
		Reasons:     out.reasons,
		Obligations: out.obligations,
		Revision:    st.revision,
	}
	d, err = e.runAfter(ctx, in, d, err)
	e.finish(ctx, span, st, entrypoint, in, d, out, start)
	return d, err
}

// decide runs the before hooks and evaluates the entrypoint.
func (e *Engine) decide(ctx context.Context, st *state, ep string, in *Input) (outcome, error) {
	for _, h := range e.cfg.Before {
		if err := h(ctx, in); err != nil {
			return denied(ReasonHookError), fmt.Errorf("pep: before hook: %w", err)
		}
	}
	pq, ok := st.queries[ep]
	if !ok {
		return denied(zt.ReasonEvalError), fmt.Errorf("%w %q", ErrUnknownEntrypoint, ep)
	}

	roles, bound := st.pip.rolesOf(in.Principal)
	val, err := in.value(roles, bound, st.pol.shape)
	if err != nil {
		return denied(zt.ReasonEvalError), err
	}
	if st.cache != nil {
		if out, hit := st.cache.get(ep, val); hit {
			out.input = val
			return out, nil
		}
	}

	out, err := e.eval(ctx, pq, val)
	if err == nil && st.cache != nil {
		st.cache.put(ep, val, out)
	}
	out.input = val
	return out, err
}

// Eval evaluates an entrypoint for an input document given as is, without
// hooks, live roles or cache. It serves tools such as "ztctl policy eval".
func (e *Engine) Eval(ctx context.Context, entrypoint string,
	input ast.Value) (zt.Decision, error) {
	st := e.cur.Load()
	pq, ok := st.queries[entrypoint]
	if !ok {
		return zt.Deny(zt.ReasonEvalError), fmt.Errorf("%w %q", ErrUnknownEntrypoint, entrypoint)
	}
	out, err := e.eval(ctx, pq, input)
	return zt.Decision{
		ID: newID(), Allow: out.allow && err == nil, Reasons: out.reasons,
		Obligations: out.obligations, Revision: st.revision,
	}, err
}

// asTerm keeps evaluation results as AST terms instead of converting them to
// Go values, which parseOutcome does for the few fields it needs.
func asTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

var noMetrics = metrics.NoOp()

// eval evaluates one prepared query with the engine's timeout.
func (e *Engine) eval(ctx context.Context, pq *rego.PreparedEvalQuery,
	input ast.Value) (outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	c := topdown.NewCancel()
	stop := context.AfterFunc(ctx, c.Cancel)
	defer stop()

	rs, err := pq.Eval(ctx,
		rego.EvalParsedInput(input),
		rego.EvalMetrics(noMetrics),
		rego.EvalExternalCancel(c),
		rego.EvalGenerateJSON(asTerm),
	)
	switch {
	case err != nil && (ctx.Err() != nil || topdown.IsCancel(err)):
		return denied(zt.ReasonTimeout), fmt.Errorf("pep: evaluation timed out: %w", err)
	case err != nil:
		return denied(zt.ReasonEvalError), fmt.Errorf("pep: evaluation: %w", err)
	case len(rs) == 0 || len(rs[0].Expressions) == 0:
		return denied(zt.ReasonUndefined), nil
	}
	term, _ := rs[0].Expressions[0].Value.(*ast.Term)
	return parseOutcome(term)
}

// runAfter runs the after hooks of an allowed decision, and the deny hooks of
// a denied one.
func (e *Engine) runAfter(ctx context.Context, in *Input, d zt.Decision,
	err error) (zt.Decision, error) {
	if d.Allow && len(e.cfg.After) > 0 {
		d, err = e.runAfterHooks(ctx, in, d, err)
	}
	if !d.Allow {
		for _, h := range e.cfg.OnDeny {
			h(ctx, in, d)
		}
	}
	return d, err
}

// runAfterHooks runs the after hooks of an allowed decision until one fails.
// It is apart from runAfter so that only decisions with hooks move to the
// heap.
func (e *Engine) runAfterHooks(ctx context.Context, in *Input, d zt.Decision,
	err error) (zt.Decision, error) {
	for _, h := range e.cfg.After {
		if herr := h(ctx, in, &d); herr != nil {
			d.Allow = false
			d.Reasons = append(d.Reasons, ReasonObligationFailed)
			return d, fmt.Errorf("pep: after hook: %w", herr)
		}
	}
	return d, err
}

// newID returns a random decision id.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Close stops the background reload, if any.
func (e *Engine) Close() error {
	e.stopOnce.Do(func() { close(e.stop) })
	if e.done != nil {
		<-e.done
	}
	return nil
}

// Stats counts the engine's reloads.
type Stats struct {
	// Reloads counts policies loaded after the first one.
	Reloads uint64
	// Refusals counts policies refused by a reload.
	Refusals uint64
}

// Stats returns the engine's reload counters.
func (e *Engine) Stats() Stats {
	return Stats{Reloads: e.reloads.Load(), Refusals: e.refusals.Load()}
}
