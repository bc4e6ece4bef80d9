package token_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

func newRefresh(t *testing.T, clk *clock) *token.RefreshTokens {
	t.Helper()

	r, err := token.NewRefreshTokens(token.RefreshConfig{
		Store:       &token.MemoryRefreshStore{},
		TTL:         time.Hour,
		MaxLifetime: 3 * time.Hour,
		Now:         clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}

	return r
}

func wantGrantRefusal(t *testing.T, err error, kind, cause error, reason string) {
	t.Helper()

	var ze *zt.Error
	if !errors.As(err, &ze) || !errors.Is(err, kind) || !errors.Is(err, cause) ||
		ze.Reason != reason || ze.Code != token.CodeInvalidGrant {
		t.Fatalf("err = %v, want %v / %s with invalid_grant", err, cause, reason)
	}
}

func TestRefreshRotation(t *testing.T) {
	clk := newClock()
	r := newRefresh(t, clk)
	grant := token.RefreshGrant{Subject: "alice", ClientID: "web", Scopes: []string{"tx:read"}}

	rt, err := r.Issue(t.Context(), grant)
	if err != nil {
		t.Fatal(err)
	}

	for range 3 {
		next, got, err := r.Rotate(t.Context(), rt)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}

		if next == rt || got.Subject != "alice" || got.Scopes[0] != "tx:read" {
			t.Fatalf("rotation returned %q %+v", next, got)
		}
		rt = next
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	r := newRefresh(t, newClock())

	first, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})
	second, _, err := r.Rotate(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}

	// An attacker replays the first token: the family dies...
	_, _, err = r.Rotate(t.Context(), first)
	wantGrantRefusal(t, err, zt.ErrRevoked, token.ErrRefreshReused, token.ReasonRefreshReused)

	// ...so the legitimate client's current token no longer works either.
	_, _, err = r.Rotate(t.Context(), second)
	wantGrantRefusal(t, err, zt.ErrUnauthenticated, token.ErrRefreshRevoked, token.ReasonRefreshRevoked)

	// Other families are untouched.
	other, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "bob"})
	if _, _, err := r.Rotate(t.Context(), other); err != nil {
		t.Fatalf("other family: %v", err)
	}
}

func TestRefreshConcurrentRotationOnlyOneWins(t *testing.T) {
	r := newRefresh(t, newClock())
	rt, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})

	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0

	for range 8 {
		wg.Go(func() {
			if _, _, err := r.Rotate(context.Background(), rt); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	if wins != 1 {
		t.Fatalf("%d concurrent rotations succeeded, want 1", wins)
	}
}

func TestRefreshExpiry(t *testing.T) {
	clk := newClock()
	r := newRefresh(t, clk)

	rt, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})
	clk.Advance(2 * time.Hour)

	_, _, err := r.Rotate(t.Context(), rt)
	wantGrantRefusal(t, err, zt.ErrUnauthenticated, token.ErrRefreshExpired, token.ReasonRefreshExpired)
}

func TestRefreshFamilyLifetimeIsAbsolute(t *testing.T) {
	clk := newClock()
	r := newRefresh(t, clk)

	rt, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})
	for range 3 {
		clk.Advance(55 * time.Minute)

		next, _, err := r.Rotate(t.Context(), rt)
		if err != nil {
			t.Fatal(err)
		}
		rt = next
	}

	clk.Advance(20 * time.Minute) // 3h05 after the family began
	_, _, err := r.Rotate(t.Context(), rt)
	wantGrantRefusal(t, err, zt.ErrUnauthenticated, token.ErrRefreshExpired, token.ReasonRefreshExpired)
}

func TestRefreshUnknownAndRevoke(t *testing.T) {
	r := newRefresh(t, newClock())

	for _, raw := range []string{"", "garbage", "ztr_AAAA"} {
		_, _, err := r.Rotate(t.Context(), raw)
		wantGrantRefusal(t, err, zt.ErrUnauthenticated, token.ErrRefreshUnknown, token.ReasonRefreshUnknown)
	}

	rt, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})
	if err := r.Revoke(t.Context(), rt); err != nil {
		t.Fatal(err)
	}

	_, _, err := r.Rotate(t.Context(), rt)
	wantGrantRefusal(t, err, zt.ErrUnauthenticated, token.ErrRefreshRevoked, token.ReasonRefreshRevoked)
}

type failingStore struct{ *token.MemoryRefreshStore }

func (*failingStore) Use(context.Context, string) (token.RefreshRecord, error) {
	return token.RefreshRecord{}, errors.New("database down")
}

func TestRefreshStoreFailureFailsClosed(t *testing.T) {
	r, _ := token.NewRefreshTokens(token.RefreshConfig{Store: &failingStore{&token.MemoryRefreshStore{}}})
	rt, _ := r.Issue(t.Context(), token.RefreshGrant{Subject: "alice"})

	_, _, err := r.Rotate(t.Context(), rt)
	if !errors.Is(err, zt.ErrUnavailable) || zt.ReasonOf(err) != token.ReasonRefreshStore {
		t.Fatalf("err = %v, want unavailable", err)
	}
}
