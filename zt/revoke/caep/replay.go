package caep

import (
	"context"
	"sync"
	"time"
)

// ReplayStore remembers the identifiers of SETs already received, so that a
// replay is refused. Replicas behind one push endpoint should share one (for
// example redissync.ReplayStore), or a SET replayed to another replica is
// applied there again.
type ReplayStore interface {
	// Remember records id until ttl has passed and reports whether it was
	// new. An error means the answer is unknown; the Receiver then refuses
	// the SET with a retryable status.
	Remember(ctx context.Context, id string, ttl time.Duration) (bool, error)

	// Forget removes id, so that a SET whose processing failed can be
	// delivered again.
	Forget(ctx context.Context, id string) error
}

// MemoryReplayStore is a ReplayStore for one process.
type MemoryReplayStore struct {
	cache *replayCache
	now   func() time.Time
}

// NewMemoryReplayStore returns an empty MemoryReplayStore.
func NewMemoryReplayStore() *MemoryReplayStore {
	return &MemoryReplayStore{cache: newReplayCache(), now: time.Now}
}

// Remember implements ReplayStore.
func (m *MemoryReplayStore) Remember(_ context.Context, id string, ttl time.Duration) (bool, error) {
	now := m.now()

	return m.cache.add(id, now.Add(ttl), now), nil
}

// Forget implements ReplayStore.
func (m *MemoryReplayStore) Forget(_ context.Context, id string) error {
	m.cache.remove(id)

	return nil
}

// replayCache remembers SET identifiers until they would be too old to be
// accepted anyway.
type replayCache struct {
	mu     sync.Mutex
	seen   map[string]time.Time
	pruned time.Time
}

func newReplayCache() *replayCache {
	return &replayCache{seen: map[string]time.Time{}}
}

// add records id until expires and reports whether it was new.
func (c *replayCache) add(id string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()

	if now.Sub(c.pruned) > time.Minute {
		for k, exp := range c.seen {
			if !now.Before(exp) {
				delete(c.seen, k)
			}
		}

		c.pruned = now
	}

	if exp, ok := c.seen[id]; ok && now.Before(exp) {
		return false
	}

	c.seen[id] = expires

	return true
}

func (c *replayCache) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()

	delete(c.seen, id)
}
