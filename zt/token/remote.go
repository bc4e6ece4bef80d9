package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
// TODO(jwks-cache-control): the refresh interval is fixed by configuration;
// honouring the server's Cache-Control max-age (within bounds) would let an
// issuer announce rotations without every verifier being reconfigured.
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
}

// fetch downloads and converts the key set, and installs it when it is usable.
func (r *remoteKeys) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	ks, err := r.download(ctx)
	if err != nil {
		if r.logger != nil {
			r.logger.WarnContext(ctx, "token: JWKS fetch failed; keeping last good keys",
				slog.String("url", r.url), slog.Any("error", err))
		}

		return err
	}

	old := r.current.Swap(ks)
	if r.onChange != nil {
		r.onChange(old, ks)
	}

	return nil
}

func (r *remoteKeys) download(ctx context.Context) (*keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("token: JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")

	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("token: JWKS fetch: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token: JWKS fetch: status %d", resp.StatusCode)
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, r.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("token: JWKS read: %w", err)
	}

	if int64(len(body)) > r.maxSize {
		return nil, fmt.Errorf("%w: over %d bytes", ErrJWKSTooLarge, r.maxSize)
	}

	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("token: JWKS parse: %w", err)
	}

	return newKeySet(ctx, set, false)
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

// refresh is the background loop; it stops when ctx is done.
func (r *remoteKeys) refresh(ctx context.Context) {
	t := time.NewTicker(r.interval)
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
		}
	}
}
