package detect

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// Defaults of RiskConfig.
const (
	DefaultRiskTTL        = 30 * time.Minute
	DefaultRiskMaxEntries = 100_000
)

// RiskConfig configures a RiskStore. Its zero value is ready to use.
type RiskConfig struct {
	// TTL is how long a raised score lasts when Raise is given no lifetime.
	// Zero means DefaultRiskTTL.
	TTL time.Duration

	// MaxEntries bounds the number of principals held; when full, the entry
	// closest to expiry is dropped. Zero means DefaultRiskMaxEntries.
	MaxEntries int

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// RiskKey names one facet of a principal whose risk is tracked.
type RiskKey struct {
	// Kind is "user", "session", "device" or "workload".
	Kind string
	// Value is the user ID, session ID, device ID or SPIFFE ID.
	Value string
}

type riskEntry struct {
	score   int
	signals []string
	expires int64
}

// RiskStore holds risk raised by detections, per user, session, device and
// workload, each raise lasting a limited time. Its Risk method has the shape
// of the middleware's risk hook, so that the next decision about a principal
// sees the risk that a detection raised. It is safe for concurrent use.
type RiskStore struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.RWMutex
	entries map[RiskKey]riskEntry
}

// NewRiskStore returns an empty RiskStore.
func NewRiskStore(cfg RiskConfig) *RiskStore {
	s := &RiskStore{
		ttl:     cfg.TTL,
		max:     cfg.MaxEntries,
		now:     cfg.Now,
		entries: make(map[RiskKey]riskEntry),
	}
	if s.ttl <= 0 {
		s.ttl = DefaultRiskTTL
	}
	if s.max <= 0 {
		s.max = DefaultRiskMaxEntries
	}
	if s.now == nil {
		s.now = time.Now
	}

	return s
}

// Raise adds points to the score of k (capped at 100) with signal as the
// reason, for ttl (zero means the store's TTL). A raise extends the life of
// the whole entry.
func (s *RiskStore) Raise(k RiskKey, points int, signal string, ttl time.Duration) {
	if k.Value == "" || points <= 0 {
		return
	}
	if ttl <= 0 {
		ttl = s.ttl
	}

	now := s.now().UnixNano()

	s.mu.Lock()
	defer s.mu.Unlock()

	e, ok := s.entries[k]
	if !ok || e.expires <= now {
		s.makeRoom(now)
		e = riskEntry{}
	}

	e.score = min(e.score+points, 100)
	if signal != "" && !slices.Contains(e.signals, signal) {
		e.signals = append(slices.Clip(e.signals), signal)
	}
	e.expires = max(e.expires, now+int64(ttl))
	s.entries[k] = e
}

// makeRoom drops expired entries, then the one closest to expiry, when the
// store is full. The caller holds s.mu.
func (s *RiskStore) makeRoom(now int64) {
	if len(s.entries) < s.max {
		return
	}

	var victim RiskKey
	soonest := int64(1<<63 - 1)
	for k, e := range s.entries {
		if e.expires <= now {
			delete(s.entries, k)
			continue
		}
		if e.expires < soonest {
			victim, soonest = k, e.expires
		}
	}

	if len(s.entries) >= s.max {
		delete(s.entries, victim)
	}
}

// Clear forgets the risk of k, for an operator who has dealt with it.
func (s *RiskStore) Clear(k RiskKey) {
	s.mu.Lock()
	delete(s.entries, k)
	s.mu.Unlock()
}

// Score returns the live score and signals of k.
func (s *RiskStore) Score(k RiskKey) (int, []string) {
	now := s.now().UnixNano()

	s.mu.RLock()
	defer s.mu.RUnlock()

	e, ok := s.entries[k]
	if !ok || e.expires <= now {
		return 0, nil
	}

	return e.score, slices.Clone(e.signals)
}

// Risk returns the risk of p: the highest score among its user, session,
// device and workload, with the signals of all of them. Its signature is
// that of middleware.RiskFunc, so s.Risk can be used as the middleware's
// Risk hook. It never fails.
func (s *RiskStore) Risk(_ context.Context, p *zt.Principal) (zt.Risk, error) {
	var risk zt.Risk
	if p == nil {
		return risk, nil
	}

	now := s.now().UnixNano()

	s.mu.RLock()
	defer s.mu.RUnlock()

	if len(s.entries) == 0 {
		return risk, nil
	}
	if p.User != nil {
		s.add(&risk, RiskKey{"user", p.User.ID}, now)
		s.add(&risk, RiskKey{"session", p.User.SessionID}, now)
	}
	if p.Device != nil {
		s.add(&risk, RiskKey{"device", p.Device.ID}, now)
	}
	if p.Workload != nil {
		s.add(&risk, RiskKey{"workload", p.Workload.ID}, now)
	}

	return risk, nil
}

// add folds the live entry of k into risk. The caller holds s.mu.
func (s *RiskStore) add(risk *zt.Risk, k RiskKey, now int64) {
	if k.Value == "" {
		return
	}

	e, ok := s.entries[k]
	if !ok || e.expires <= now {
		return
	}

	risk.Score = max(risk.Score, e.score)
	for _, sig := range e.signals {
		if !slices.Contains(risk.Signals, sig) {
			risk.Signals = append(risk.Signals, sig)
		}
	}
}

// keys returns the risk keys of every facet s names.
func (s Subject) keys() []RiskKey {
	var keys []RiskKey
	for _, k := range []RiskKey{
		{"user", s.User}, {"session", s.Session},
		{"device", s.Device}, {"workload", s.Workload},
	} {
		if k.Value != "" {
			keys = append(keys, k)
		}
	}

	return keys
}
