package caep

import (
	"sync"
	"time"
)

// replayCache remembers SET identifiers until they would be too old to be
// accepted anyway.
//
// TODO(replay): the cache is per process; a SET replayed to another replica
// behind the same endpoint is applied again there. Applying a SET twice only
// repeats idempotent revocations, but a shared cache (Redis SET NX with the
// same expiry) would refuse it as the RFC expects.
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
