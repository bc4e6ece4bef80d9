package public

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the per-address limiter of sign-in routes: a burst of 20, then
// one attempt every 3 seconds.
const (
	DefaultRate  = rate.Limit(1.0 / 3)
	DefaultBurst = 20
)

// maxTracked bounds the addresses a Limiter remembers; past it, idle ones
// are forgotten first.
const maxTracked = 10000

// Limiter rate limits by client address. It is safe for concurrent use.
type Limiter struct {
	limit rate.Limit
	burst int

	mu   sync.Mutex
	byIP map[string]*entry
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a Limiter allowing burst attempts, then limit per
// second, per address.
func NewLimiter(limit rate.Limit, burst int) *Limiter {
	return &Limiter{limit: limit, burst: burst, byIP: map[string]*entry{}}
}

// Allow reports whether an attempt from addr may proceed now.
func (l *Limiter) Allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	now := time.Now()

	e, ok := l.byIP[addr]
	if !ok {
		if len(l.byIP) >= maxTracked {
			l.evict(now)
		}

		e = &entry{lim: rate.NewLimiter(l.limit, l.burst)}
		l.byIP[addr] = e
	}

	e.seen = now

	return e.lim.AllowN(now, 1)
}

// evict forgets addresses idle long enough to have refilled their burst.
func (l *Limiter) evict(now time.Time) {
	idle := time.Duration(float64(l.burst)/float64(l.limit)) * time.Second
	for k, e := range l.byIP {
		if now.Sub(e.seen) > idle {
			delete(l.byIP, k)
		}
	}
}
