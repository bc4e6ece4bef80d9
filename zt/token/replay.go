package token

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrReplayCacheFull is returned by a MemoryReplayCache with no room left.
var ErrReplayCacheFull = errors.New("token: replay cache full")

// MemoryReplayCache is a bounded in-memory ReplayCache. When full, it drops
// expired entries and, if none have expired, returns ErrReplayCacheFull rather
// than forget a live proof: the request then fails closed.
type MemoryReplayCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]time.Time
	now     func() time.Time
}

// NewMemoryReplayCache returns a cache of at most size live entries.
func NewMemoryReplayCache(size int) *MemoryReplayCache {
	return newReplayCache(size, time.Now)
}

func newReplayCache(size int, now func() time.Time) *MemoryReplayCache {
	return &MemoryReplayCache{max: size, entries: map[string]time.Time{}, now: now}
}

// Seen records id until expires and reports whether it was already recorded.
func (c *MemoryReplayCache) Seen(_ context.Context, id string, expires time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()

	now := c.now()
	if until, ok := c.entries[id]; ok && now.Before(until) {
		return true, nil
	}

	if len(c.entries) >= c.max {
		for k, until := range c.entries {
			if !now.Before(until) {
				delete(c.entries, k)
			}
		}

		if len(c.entries) >= c.max {
			return false, ErrReplayCacheFull
		}
	}

	c.entries[id] = expires

	return false, nil
}
