package pep

import (
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// decisionCache remembers outcomes by entrypoint and input. It belongs to one
// state (one policy revision and one PIP version), so that a new policy or
// new data starts with an empty cache. When full it is emptied: simple, and
// bounded in memory.
type decisionCache struct {
	mu  sync.RWMutex
	max int
	n   int
	m   map[int][]cacheEntry
}

type cacheEntry struct {
	entrypoint string
	input      ast.Value
	out        outcome
}

func newDecisionCache(size int) *decisionCache {
	return &decisionCache{max: size, m: make(map[int][]cacheEntry)}
}

func (c *decisionCache) get(ep string, input ast.Value) (outcome, bool) {
	h := input.Hash()
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, e := range c.m[h] {
		if e.entrypoint == ep && e.input.Compare(input) == 0 {
			out := e.out.clone()
			out.cached = true
			return out, true
		}
	}
	return outcome{}, false
}

func (c *decisionCache) put(ep string, input ast.Value, out outcome) {
	h := input.Hash()
	out = out.clone()
	out.input = nil
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= c.max {
		clear(c.m)
		c.n = 0
	}
	c.m[h] = append(c.m[h], cacheEntry{entrypoint: ep, input: input, out: out})
	c.n++
}
