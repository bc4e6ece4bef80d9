package pep

import (
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// decisionCache remembers outcomes by entrypoint and input. It belongs to one
// state (one policy revision and one PIP version), so that a new policy or
// new data starts with an empty cache. It holds at most max entries and
// evicts with the CLOCK algorithm, an approximation of LRU whose hits only
// set a flag under the read lock: an entry used since the hand last passed
// gets a second chance, and the first one not used is replaced.
type decisionCache struct {
	mu   sync.RWMutex
	max  int
	m    map[int][]*cacheEntry // by input hash
	ring []*cacheEntry         // the entries, in the order the hand visits them
	hand int
}

type cacheEntry struct {
	hash       int
	entrypoint string
	input      ast.Value
	out        outcome
	used       atomic.Bool
}

func newDecisionCache(size int) *decisionCache {
	return &decisionCache{
		max:  size,
		m:    make(map[int][]*cacheEntry),
		ring: make([]*cacheEntry, 0, size),
	}
}

func (c *decisionCache) get(ep string, input ast.Value) (outcome, bool) {
	h := input.Hash()
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.find(h, ep, input); e != nil {
		e.used.Store(true)
		out := e.out.clone()
		out.cached = true
		return out, true
	}
	return outcome{}, false
}

func (c *decisionCache) find(h int, ep string, input ast.Value) *cacheEntry {
	for _, e := range c.m[h] {
		if e.entrypoint == ep && e.input.Compare(input) == 0 {
			return e
		}
	}
	return nil
}

func (c *decisionCache) put(ep string, input ast.Value, out outcome) {
	e := &cacheEntry{hash: input.Hash(), entrypoint: ep, input: input, out: out.clone()}
	e.out.input = nil
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.find(e.hash, ep, input) != nil {
		return // another request decided the same input meanwhile
	}

	if len(c.ring) < c.max {
		c.ring = append(c.ring, e)
	} else {
		c.evict()
		c.ring[c.hand] = e
		c.hand = (c.hand + 1) % c.max
	}
	c.m[e.hash] = append(c.m[e.hash], e)
}

// evict moves the hand to the first entry not used since its last pass,
// clearing the flags it passes, and forgets that entry; its slot is then
// c.ring[c.hand]. It ends within two turns, since the first clears every
// flag.
func (c *decisionCache) evict() {
	for c.ring[c.hand].used.Swap(false) {
		c.hand = (c.hand + 1) % c.max
	}
	old := c.ring[c.hand]
	bucket := c.m[old.hash]
	for i, e := range bucket {
		if e == old {
			bucket = append(bucket[:i:i], bucket[i+1:]...)
			break
		}
	}
	if len(bucket) == 0 {
		delete(c.m, old.hash)
	} else {
		c.m[old.hash] = bucket
	}
}
