package detect

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// The audit event kinds and decisions that the detectors read.
const (
	// KindLogin is the Kind of a sign-in attempt: Decision "deny" for a
	// failed one, "allow" for a success; Actor.User is the account tried
	// and SourceAddr where the attempt came from.
	KindLogin = "login"
	// KindDecision is the Kind of a decided request, as the middleware
	// emits it.
	KindDecision = "decision"

	decisionAllow = "allow"
	decisionDeny  = "deny"
)

// Threshold is how many events within a window make a detection. A Count
// below zero disables the detector.
type Threshold struct {
	// Count is the number of events that fire the detector.
	Count int `json:"count"`

	// Window is the span they must fall within.
	Window time.Duration `json:"window"`
}

// The default thresholds of MonitorConfig.
var (
	// DefaultBruteForce fires at 5 failed sign-ins for one account, or 20
	// from one source, within 5 minutes.
	DefaultBruteForce = Threshold{Count: 5, Window: 5 * time.Minute}
	// DefaultBruteForceSource is the per-source threshold of brute force
	// (and password spraying).
	DefaultBruteForceSource = Threshold{Count: 20, Window: 5 * time.Minute}
	// DefaultDenialBurst fires at 10 denied requests of one subject within
	// a minute.
	DefaultDenialBurst = Threshold{Count: 10, Window: time.Minute}
	// DefaultHostileFor is how long a brute-forcing source is remembered.
	DefaultHostileFor = time.Hour
	// DefaultEnumeration fires when one subject touches 50 distinct
	// resources within 5 minutes.
	DefaultEnumeration = Threshold{Count: 50, Window: 5 * time.Minute}
)

// Handler receives the alerts of a Monitor; *Responder satisfies it.
type Handler interface {
	Handle(ctx context.Context, a Alert) (Alert, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, a Alert) (Alert, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, a Alert) (Alert, error) {
	return f(ctx, a)
}

// MonitorConfig configures a Monitor. Its zero value runs every detector
// with its default threshold.
type MonitorConfig struct {
	// BruteForce is the per-account threshold of failed sign-ins; zero means
	// DefaultBruteForce.
	BruteForce Threshold
	// BruteForceSource is the per-source threshold of failed sign-ins; zero
	// means DefaultBruteForceSource.
	BruteForceSource Threshold
	// DenialBurst is the per-subject threshold of denied requests; zero
	// means DefaultDenialBurst.
	DenialBurst Threshold
	// Enumeration is the per-subject threshold of distinct resources
	// touched; zero means DefaultEnumeration.
	Enumeration Threshold
	// HostileFor is how long a source address that brute-forced is
	// remembered, with the accounts it attacked, so that a successful
	// sign-in from it afterwards to one of them (or to any account, after
	// it sprayed many) is flagged as a likely compromise. Zero means
	// DefaultHostileFor; below zero disables that detector.
	HostileFor time.Duration
	// NoNewSource disables the new-source sign-in detector.
	//
	// TODO(detect): impossible travel needs a geolocation of source
	// addresses, which ztkit does not ship; a Locator hook would add it.
	NoNewSource bool

	// Handler receives every alert, from Run's goroutine. Nil drops them
	// (Dropped counts them).
	Handler Handler
	// Queue is how many alerts may wait for the Handler; when it is full,
	// further alerts are dropped and counted. Zero means 1024.
	Queue int
	// MaxKeys bounds the subjects each detector tracks; zero means 100000.
	MaxKeys int

	// Now returns the current time for events without one; nil means
	// time.Now.
	Now func() time.Time
}

// Monitor runs detectors over the audit stream. It is an audit.Emitter and
// an audit.Sink, so that it can sit behind the audit pipeline or be called
// directly; its per-event work is a few map operations under one lock, and
// alerts go to the Handler through a bounded queue so that a response never
// blocks the stream it came from. It is safe for concurrent use.
type Monitor struct {
	cfg     MonitorConfig
	alerts  chan Alert
	dropped atomic.Uint64

	mu        sync.Mutex
	userFails *counters
	srcFails  *counters
	denials   *counters
	touched   *distinct
	sources   *sources
	hostile   map[string]hostileSource // by source address
}

// NewMonitor returns a Monitor for cfg. Call Run to deliver its alerts.
func NewMonitor(cfg MonitorConfig) *Monitor {
	cfg.BruteForce = orDefault(cfg.BruteForce, DefaultBruteForce)
	cfg.BruteForceSource = orDefault(cfg.BruteForceSource, DefaultBruteForceSource)
	cfg.DenialBurst = orDefault(cfg.DenialBurst, DefaultDenialBurst)
	cfg.Enumeration = orDefault(cfg.Enumeration, DefaultEnumeration)
	if cfg.HostileFor == 0 {
		cfg.HostileFor = DefaultHostileFor
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 1024
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 100_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	return &Monitor{
		cfg:       cfg,
		alerts:    make(chan Alert, cfg.Queue),
		userFails: newCounters(cfg.BruteForce, cfg.MaxKeys),
		srcFails:  newCounters(cfg.BruteForceSource, cfg.MaxKeys),
		denials:   newCounters(cfg.DenialBurst, cfg.MaxKeys),
		touched:   newDistinct(cfg.Enumeration, cfg.MaxKeys),
		sources:   newSources(cfg.MaxKeys),
		hostile:   make(map[string]hostileSource),
	}
}

func orDefault(t, def Threshold) Threshold {
	if t.Count == 0 {
		t.Count = def.Count
	}
	if t.Window <= 0 {
		t.Window = def.Window
	}

	return t
}

// Emit runs the detectors over e. It never fails, so that detection never
// denies a request.
func (m *Monitor) Emit(_ context.Context, e audit.Event) error {
	m.observe(&e)
	return nil
}

// Write runs the detectors over a batch, as an audit.Sink. It never fails.
func (m *Monitor) Write(_ context.Context, batch []audit.Event) error {
	for i := range batch {
		m.observe(&batch[i])
	}

	return nil
}

// Dropped returns the number of alerts lost because the queue was full or
// no Handler was configured.
func (m *Monitor) Dropped() uint64 {
	return m.dropped.Load()
}

// Run hands alerts to the Handler until ctx is done, and returns ctx's
// error. Errors from the Handler are its own to record.
func (m *Monitor) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case a := <-m.alerts:
			if m.cfg.Handler != nil {
				_, _ = m.cfg.Handler.Handle(ctx, a)
			}
		}
	}
}

func (m *Monitor) raise(a Alert) {
	if m.cfg.Handler == nil {
		m.dropped.Add(1)
		return
	}

	select {
	case m.alerts <- a:
	default:
		m.dropped.Add(1)
	}
}

func (m *Monitor) observe(e *audit.Event) {
	now := e.Time
	if now.IsZero() {
		now = m.cfg.Now()
	}

	switch {
	case e.Kind == KindLogin && e.Decision == decisionDeny:
		m.failedLogin(e, now)
	case e.Kind == KindLogin && e.Decision == decisionAllow:
		m.login(e, now)
	case e.Kind == KindDecision && e.Decision == decisionDeny:
		m.denied(e, now)
	case e.Kind == KindDecision && e.Decision == decisionAllow:
		m.allowed(e, now)
	}
}

// subjectOf returns the alert subject of an audit event's actor.
func subjectOf(e *audit.Event) Subject {
	return Subject{
		User:       e.Actor.User,
		Session:    e.Actor.Session,
		Device:     e.Actor.Device,
		Workload:   e.Actor.Workload,
		SourceAddr: e.SourceAddr,
	}
}

// actorKey returns who acted: the user, else the workload.
func actorKey(e *audit.Event) string {
	if e.Actor.User != "" {
		return e.Actor.User
	}

	return e.Actor.Workload
}
