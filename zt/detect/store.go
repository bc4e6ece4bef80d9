package detect

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrAlertNotFound is returned by Store.Get, and by Responder.Lift, for an
// alert ID that the store does not hold.
var ErrAlertNotFound = errors.New("detect: alert not found")

// Store keeps alerts for an operator to review, for example on an admin
// console's "security alerts" page.
type Store interface {
	// Add records a, replacing an earlier alert with the same ID.
	Add(ctx context.Context, a Alert) error

	// List returns the stored alerts that match q, newest first.
	List(ctx context.Context, q Query) ([]Alert, error)

	// Get returns the alert with the given ID, or an error that matches
	// ErrAlertNotFound.
	Get(ctx context.Context, id string) (Alert, error)
}

// Query selects alerts from a Store. Its zero value selects everything, up
// to the store's own limit.
type Query struct {
	// MinSeverity drops alerts below it.
	MinSeverity Severity

	// Since drops alerts older than it; zero keeps all.
	Since time.Time

	// Source keeps only alerts from this detector; empty keeps all.
	Source string

	// Limit caps the number of alerts returned; zero or less means no cap.
	Limit int
}

func (q *Query) match(a *Alert) bool {
	return a.Severity >= q.MinSeverity &&
		(q.Since.IsZero() || !a.Time.Before(q.Since)) &&
		(q.Source == "" || a.Source == q.Source)
}

// DefaultMemoryStoreSize is the capacity of a MemoryStore made with size 0.
const DefaultMemoryStoreSize = 10_000

// MemoryStore is a Store that keeps the most recent alerts in memory, up to
// a fixed number; the oldest is dropped to make room. For alerts that
// outlive a restart and are shared by replicas, use sqlstore. It is safe for
// concurrent use.
type MemoryStore struct {
	mu    sync.RWMutex
	ring  []Alert
	next  int
	full  bool
	index map[string]int
}

// NewMemoryStore returns a MemoryStore that holds up to size alerts (zero
// means DefaultMemoryStoreSize).
func NewMemoryStore(size int) *MemoryStore {
	if size <= 0 {
		size = DefaultMemoryStoreSize
	}

	return &MemoryStore{ring: make([]Alert, size), index: make(map[string]int)}
}

// Add records a copy of a, replacing an earlier alert with the same ID in
// place. It never fails.
func (s *MemoryStore) Add(_ context.Context, a Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if i, ok := s.index[a.ID]; ok && a.ID != "" {
		s.ring[i] = a
		return nil
	}

	if s.full {
		delete(s.index, s.ring[s.next].ID)
	}

	s.ring[s.next] = a
	if a.ID != "" {
		s.index[a.ID] = s.next
	}

	s.next = (s.next + 1) % len(s.ring)
	s.full = s.full || s.next == 0

	return nil
}

// Get returns the alert with the given ID, or ErrAlertNotFound.
func (s *MemoryStore) Get(_ context.Context, id string) (Alert, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	i, ok := s.index[id]
	if !ok || id == "" {
		return Alert{}, ErrAlertNotFound
	}

	return s.ring[i], nil
}

// List returns the alerts that match q, most recently added first.
func (s *MemoryStore) List(_ context.Context, q Query) ([]Alert, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	n := s.next
	if s.full {
		n = len(s.ring)
	}

	var out []Alert
	for i := range n {
		a := &s.ring[(s.next-1-i+len(s.ring))%len(s.ring)]
		if !q.match(a) {
			continue
		}

		out = append(out, *a)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}

	return out, nil
}

// Len returns the number of alerts held.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()

	if s.full {
		return len(s.ring)
	}

	return s.next
}
