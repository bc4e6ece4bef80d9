package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// ErrJWKSTooLarge is the cause when a JWKS response exceeds MaxJWKSSize.
var ErrJWKSTooLarge = errors.New("token: JWKS response too large")

// remoteKeys keeps a key set fetched from a JWKS URL fresh. It keeps the last
// good set when a fetch fails, refetches in the background, and refetches on
// demand (rate limited) when a token names a key it does not know.
//
// The background refresh waits interval between fetches, or less when the
// server's Cache-Control max-age asks for it, but never less than minRefetch;
// after a failed fetch it retries after minRefetch (at least a second).
type remoteKeys struct {
	url        string
	client     *http.Client
	timeout    time.Duration
	maxSize    int64
	interval   time.Duration
	minRefetch time.Duration
	now        func() time.Time
	logger     *slog.Logger
	onChange   func(old, cur *keySet)

	current atomic.Pointer[keySet]

	mu          sync.Mutex // serializes fetches
	lastAttempt time.Time
	delay       time.Duration // until the next background fetch
}

// fetch downloads and converts the key set, and installs it when it is usable.
func (r *remoteKeys) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	ks, maxAge, err := r.download(ctx)
	if err != nil {
		r.delay = min(max(r.minRefetch, minRetry), r.interval)
		if r.logger != nil {
			r.logger.WarnContext(ctx, "token: JWKS fetch failed; keeping last good keys",
				slog.String("url", r.url), slog.Any("error", err))
		}

		return err
	}

	r.delay = r.interval
	if maxAge > 0 {
		r.delay = min(max(maxAge, r.minRefetch), r.interval)
	}

	old := r.current.Swap(ks)
	if r.onChange != nil {
		r.onChange(old, ks)
	}

	return nil
}

func (r *remoteKeys) download(ctx context.Context) (*keySet, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("token: JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")

	resp, err := r.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("token: JWKS fetch: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("token: JWKS fetch: status %d", resp.StatusCode)
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, r.maxSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("token: JWKS read: %w", err)
	}

	if int64(len(body)) > r.maxSize {
		return nil, 0, fmt.Errorf("%w: over %d bytes", ErrJWKSTooLarge, r.maxSize)
	}

	set, err := jwk.Parse(body)
	if err != nil {
		return nil, 0, fmt.Errorf("token: JWKS parse: %w", err)
	}

	ks, err := newKeySet(ctx, set, false)

	return ks, maxAge(resp.Header.Get("Cache-Control")), err
}

// minRetry is the shortest wait before retrying a failed background fetch,
// whatever MinRefetchInterval says, so that no configuration spins on a
// failing endpoint.
const minRetry = time.Second

// maxAge returns the max-age directive of a Cache-Control header, or zero.
func maxAge(cacheControl string) time.Duration {
	for _, directive := range strings.Split(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		if !strings.EqualFold(name, "max-age") {
			continue
		}

		if secs, err := strconv.Atoi(strings.Trim(value, `"`)); err == nil && secs > 0 {
			return time.Duration(secs) * time.Second
		}
	}

	return 0
}

// refetch fetches again when a token names an unknown key, at most once per
// minRefetch. It reports whether a fetch took place and succeeded.
func (r *remoteKeys) refetch(ctx context.Context) bool {
	r.mu.Lock()
	defer r.mu.Unlock()

	now := r.now()
	if now.Sub(r.lastAttempt) < r.minRefetch {
		return false
	}
	r.lastAttempt = now

	return r.fetch(ctx) == nil
}

// refresh is the background loop; it waits first, then fetches, until ctx
// is done.
func (r *remoteKeys) refresh(ctx context.Context, first time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.mu.Lock()
			r.lastAttempt = r.now()
			_ = r.fetch(ctx) // a failure keeps the last good set
			r.mu.Unlock()

			t.Reset(r.nextDelay())
		}
	}
}

func (r *remoteKeys) nextDelay() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.delay
}
