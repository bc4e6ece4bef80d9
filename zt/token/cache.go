package token

import (
	"sync"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// cache holds verified tokens, keyed by the SHA-256 of the token, each until the
// token expires. It is bounded: when full it first drops expired entries, then
// arbitrary ones.
type cache struct {
	mu      sync.RWMutex
	max     int
	entries map[[32]byte]cacheEntry
}

type cacheEntry struct {
	principal *zt.Principal
	expires   time.Time
}

func newCache(max int) *cache {
	return &cache{max: max, entries: make(map[[32]byte]cacheEntry, min(max, 1024))}
}

// get returns the principal of a verified token that has not expired at now.
func (c *cache) get(key [32]byte, now time.Time) (*zt.Principal, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()

	if !ok || !now.Before(e.expires) {
		return nil, false
	}

	return e.principal, true
}

// put stores a verified token's principal until expires.
func (c *cache) put(key [32]byte, p *zt.Principal, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if len(c.entries) >= c.max {
		c.evict(now)
	}

	c.entries[key] = cacheEntry{principal: p, expires: expires}
}

// evict drops expired entries and, if that frees less than an eighth of the
// cache, arbitrary ones until it does.
func (c *cache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}

	target := c.max - max(c.max/8, 1)
	for k := range c.entries {
		if len(c.entries) <= target {
			return
		}
		delete(c.entries, k)
	}
}

// clear drops every entry, for example when a key leaves the key set.
func (c *cache) clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// len returns the number of entries, expired or not.
func (c *cache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()

	return len(c.entries)
}
