package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
)

// Reason codes that the middleware puts in audit events.
const (
	// ReasonRouteUnmapped means the route is neither mapped nor public.
	ReasonRouteUnmapped = "route.unmapped"
	// ReasonObligationUnsupported means the decision carried an obligation
	// that no ObligationFunc fulfils.
	ReasonObligationUnsupported = "obligation.unsupported"
	// ReasonStepUp means an obligation asked for a stronger authentication.
	ReasonStepUp = "authn.step_up"
	// ReasonRevocationUnknown means the revocation state could not be read.
	ReasonRevocationUnknown = "authn.revocation_unknown"
	// ReasonInvalidPeer means the mTLS peer certificate has no valid SPIFFE
	// ID, or one that contradicts the token's.
	ReasonInvalidPeer = "authn.invalid_peer"
)

// Middleware authenticates, decides and audits every request in front of a
// handler. Build one with New and adapt it with Handler (net/http) or Echo.
type Middleware struct {
	cfg         Config
	public      map[string]bool
	obligations map[string]ObligationFunc
	dpop        *dpop // nil when DPoP is off
	challenges  [2]string
	patterns    map[routeKey]string // of Routes and Public, to skip building them
}

// routeKey is a route pattern split at its first space: method and path.
type routeKey struct{ method, path string }

// patternIndex indexes the patterns of cfg by method and path.
func patternIndex(cfg Config) map[routeKey]string {
	idx := map[routeKey]string{}
	add := func(pattern string) {
		if method, path, ok := strings.Cut(pattern, " "); ok {
			idx[routeKey{method, path}] = pattern
		}
	}
	for pattern := range cfg.Routes {
		add(pattern)
	}
	for _, pattern := range cfg.Public {
		add(pattern)
	}
	return idx
}

// New validates cfg and returns a Middleware.
func New(cfg Config) (*Middleware, error) {
	if cfg.Verifier == nil || cfg.Engine == nil {
		return nil, errors.New("middleware: Config.Verifier and Config.Engine are required")
	}
	for pattern, rt := range cfg.Routes {
		if rt.Action == "" {
			return nil, fmt.Errorf("middleware: route %q has no action", pattern)
		}
		if slices.Contains(cfg.Public, pattern) {
			return nil, fmt.Errorf("middleware: route %q is both mapped and public", pattern)
		}
	}
	if cfg.SessionCookie == "" {
		cfg.SessionCookie = "__Host-session"
	}
	if cfg.PeerIdentity == nil {
		cfg.PeerIdentity = PeerSPIFFEID
	}

	d, err := newDPoP(cfg)
	if err != nil {
		return nil, err
	}

	m := &Middleware{cfg: cfg, dpop: d, public: map[string]bool{}, obligations: map[string]ObligationFunc{
		zt.ObligationStepUp: stepUp,
		zt.ObligationFilter: passToHandler,
		zt.ObligationRedact: passToHandler,
	}}
	m.challenges = m.schemes()
	m.patterns = patternIndex(cfg)
	for _, p := range cfg.Public {
		m.public[p] = true
	}
	for name, f := range cfg.Obligations {
		m.obligations[name] = f
	}
	return m, nil
}

// call is one request as the adapters see it: the framework-neutral facts
// the middleware needs.
type call struct {
	r       *http.Request
	pattern string
	param   func(name string) string
}

// verdict is what the middleware decided about a call.
type verdict struct {
	principal *zt.Principal
	decision  *zt.Decision
	public    bool
	refusal   *refusal
}

// authorize authenticates the call, decides it and records it.
func (m *Middleware) authorize(ctx context.Context, c call) verdict {
	if m.public[c.pattern] {
		return verdict{public: true}
	}

	p, ref := m.authenticate(ctx, c.r)
	if ref != nil {
		m.record(ctx, c, ref.principal, nil, ref)
		return verdict{refusal: ref}
	}

	rt, mapped := m.cfg.Routes[c.pattern]
	if !mapped {
		ref := forbidden(ReasonRouteUnmapped, nil)
		m.record(ctx, c, p, nil, ref)
		return verdict{principal: p, refusal: ref}
	}

	in, err := m.input(ctx, c, rt, p)
	if err != nil {
		ref := unavailable(zt.ReasonEvalError, err)
		m.record(ctx, c, p, nil, ref)
		return verdict{principal: p, refusal: ref}
	}
	d, err := m.cfg.Engine.DecideAt(ctx, rt.Entrypoint, in)
	ref = m.enforce(ctx, c.r, &d, err)
	if aerr := m.record(ctx, c, p, &d, ref); aerr != nil && ref == nil {
		ref = unavailable(zt.ReasonAuditUnavailable, aerr)
	}
	return verdict{principal: p, decision: &d, refusal: ref}
}

// input builds the policy input of a call.
func (m *Middleware) input(ctx context.Context, c call, rt Route,
	p *zt.Principal) (*pep.Input, error) {
	r := c.r
	in := &pep.Input{
		Principal: p,
		Request: zt.Request{
			Action:     rt.Action,
			Resource:   zt.Resource{Type: rt.Resource},
			Method:     r.Method,
			Route:      routeOf(c.pattern),
			Path:       r.URL.Path,
			SourceAddr: r.RemoteAddr,
			UserAgent:  r.UserAgent(),
			RequestID:  requestID(r),
			Time:       time.Now(),
		},
	}
	if rt.IDParam != "" {
		in.Request.Resource.ID = c.param(rt.IDParam)
	}
	if m.cfg.Risk != nil {
		risk, err := m.cfg.Risk(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("middleware: risk: %w", err)
		}
		in.Risk = risk
	}
	return in, nil
}

// routeOf drops the method (and host) of a pattern, keeping the path
// template.
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " ")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return pattern
}

// requestID returns the caller's X-Request-Id when it is short and printable.
func requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if len(id) > 128 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return ""
		}
	}
	return id
}

// enforce turns a decision into a refusal, or fulfils its obligations.
func (m *Middleware) enforce(ctx context.Context, r *http.Request, d *zt.Decision,
	err error) *refusal {
	if !d.Allow {
		return forbidden("", err)
	}
	names := make([]string, 0, len(d.Obligations))
	for name := range d.Obligations {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := m.obligations[name]
		if !ok {
			d.Allow = false
			d.Reasons = append(d.Reasons, ReasonObligationUnsupported)
			return forbidden(ReasonObligationUnsupported, nil)
		}
		if err := f(ctx, r, d.Obligations[name]); err != nil {
			d.Allow = false
			ref := refusalOf(err)
			ref.dpop = m.dpop != nil && usesDPoP(r)
			d.Reasons = append(d.Reasons, ref.reason)
			return ref
		}
	}
	return nil
}

// usesDPoP reports whether r's Authorization header has the DPoP scheme.
func usesDPoP(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	return len(a) > 5 && strings.EqualFold(a[:5], token.SchemeDPoP+" ")
}

func passToHandler(context.Context, *http.Request, any) error { return nil }

// record emits the audit event of a decided or refused call.
func (m *Middleware) record(ctx context.Context, c call, p *zt.Principal,
	d *zt.Decision, ref *refusal) error {
	if m.cfg.Audit == nil {
		return nil
	}
	r := c.r
	ev := audit.Event{
		Time:       time.Now().UTC(),
		Kind:       "decision",
		Actor:      audit.ActorOf(p),
		Decision:   "deny",
		Method:     r.Method,
		Route:      routeOf(c.pattern),
		SourceAddr: r.RemoteAddr,
		UserAgent:  r.UserAgent(),
		RequestID:  requestID(r),
	}
	if rt, ok := m.cfg.Routes[c.pattern]; ok {
		ev.Action = rt.Action
		ev.Resource = audit.Resource{Type: rt.Resource}
		if rt.IDParam != "" {
			ev.Resource.ID = c.param(rt.IDParam)
		}
	}
	if d != nil {
		ev.ID, ev.DecisionID, ev.PolicyRevision = d.ID, d.ID, d.Revision
		ev.Reasons = d.Reasons
		if d.Allow {
			ev.Decision = "allow"
		}
	}
	if ev.ID == "" {
		ev.ID = eventID()
	}
	if ref != nil {
		ev.Status = ref.status
		if ref.reason != "" && !slices.Contains(ev.Reasons, ref.reason) {
			ev.Reasons = append(slices.Clone(ev.Reasons), ref.reason)
		}
	}
	if err := m.cfg.Audit.Emit(ctx, ev); err != nil {
		return fmt.Errorf("middleware: audit: %w", err)
	}
	return nil
}

// eventID returns a random identifier for an event that has no decision ID.
func eventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
