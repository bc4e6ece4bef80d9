package public

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
)

// renewalGrace is how long the outcome of a browser renewal is kept for
// other requests that carry the same refresh cookie. A page fires several
// calls at once with one cookie; without it the second call would present
// a spent refresh token, be taken for theft and end the session. The cost:
// within this window, a stolen copy of that cookie's refresh token gets the
// renewed tokens instead of revoking the session. The cookie is sealed,
// HttpOnly and SameSite=Strict, and the API's own /v1/auth/refresh keeps
// strict reuse detection.
const renewalGrace = 10 * time.Second

// renewal is one refresh exchange, shared by the requests that carry the
// same refresh token.
type renewal struct {
	done  chan struct{}
	si    backend.SignIn
	at    string
	err   error
	ended time.Time
}

// renewals coalesces concurrent and closely following renewals of one
// refresh token into one exchange with the backend.
type renewals struct {
	mu   sync.Mutex
	byRT map[[32]byte]*renewal
}

// do runs exchange once for rt among the callers within renewalGrace and
// returns its outcome to each.
func (r *renewals) do(rt string,
	exchange func() (backend.SignIn, string, error)) (backend.SignIn, string, error) {
	key := sha256.Sum256([]byte(rt))
	now := time.Now()

	r.mu.Lock()
	r.prune(now)

	if cur, ok := r.byRT[key]; ok {
		r.mu.Unlock()
		<-cur.done

		return cur.si, cur.at, cur.err
	}

	cur := &renewal{done: make(chan struct{})}
	if r.byRT == nil {
		r.byRT = map[[32]byte]*renewal{}
	}

	r.byRT[key] = cur
	r.mu.Unlock()

	cur.si, cur.at, cur.err = exchange()

	r.mu.Lock()
	cur.ended = time.Now()
	r.mu.Unlock()
	close(cur.done)

	return cur.si, cur.at, cur.err
}

// prune drops finished renewals older than renewalGrace. The caller holds
// r.mu.
func (r *renewals) prune(now time.Time) {
	for k, v := range r.byRT {
		if !v.ended.IsZero() && now.Sub(v.ended) > renewalGrace {
			delete(r.byRT, k)
		}
	}
}
