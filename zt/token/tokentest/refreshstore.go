package tokentest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/token"
)

// TestRefreshStore runs the behaviour every token.RefreshStore must have
// against stores made by newStore, one per subtest: records round-trip, Use
// is atomic and reports earlier use, unknown hashes return
// token.ErrRefreshUnknown, and RevokeFamily reaches every record of a family
// and no other.
func TestRefreshStore(t *testing.T, newStore func(t *testing.T) token.RefreshStore) {
	t.Helper()

	now := time.Now().Truncate(time.Second)
	rec := func(hash, family string) token.RefreshRecord {
		return token.RefreshRecord{
			Hash: hash, Family: family,
			Grant:    token.RefreshGrant{Subject: "alice", ClientID: "web", Scopes: []string{"a", "b"}},
			IssuedAt: now, ExpiresAt: now.Add(time.Hour), FamilyExpiresAt: now.Add(24 * time.Hour),
		}
	}

	t.Run("round trip and use", func(t *testing.T) {
		ctx, s := context.Background(), newStore(t)
		mustSave(t, s, rec("h1", "f1"))

		got, err := s.Use(ctx, "h1")
		if err != nil || got.Used || got.Grant.Subject != "alice" || len(got.Grant.Scopes) != 2 ||
			!got.ExpiresAt.Equal(now.Add(time.Hour)) || got.Family != "f1" {
			t.Fatalf("first Use = %+v, %v", got, err)
		}

		if got, err := s.Use(ctx, "h1"); err != nil || !got.Used {
			t.Fatalf("second Use = %+v, %v; want Used", got, err)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		if _, err := newStore(t).Use(context.Background(), "nope"); !errors.Is(err, token.ErrRefreshUnknown) {
			t.Fatalf("Use(unknown) = %v", err)
		}
	})

	t.Run("revoke family", func(t *testing.T) {
		ctx, s := context.Background(), newStore(t)
		mustSave(t, s, rec("a1", "fa"))
		mustSave(t, s, rec("a2", "fa"))
		mustSave(t, s, rec("b1", "fb"))

		if err := s.RevokeFamily(ctx, "fa"); err != nil {
			t.Fatal(err)
		}

		for hash, want := range map[string]bool{"a1": true, "a2": true, "b1": false} {
			if got, err := s.Use(ctx, hash); err != nil || got.Revoked != want {
				t.Fatalf("Use(%s) = %+v, %v; want Revoked %t", hash, got, err, want)
			}
		}
	})

	t.Run("concurrent use", func(t *testing.T) {
		s := newStore(t)
		mustSave(t, s, rec("c1", "fc"))

		var mu sync.Mutex
		var wg sync.WaitGroup
		fresh := 0

		for range 16 {
			wg.Go(func() {
				got, err := s.Use(context.Background(), "c1")
				if err == nil && !got.Used {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		if fresh != 1 {
			t.Fatalf("%d concurrent Use calls saw the record unused, want 1", fresh)
		}
	})
}

func mustSave(t *testing.T, s token.RefreshStore, rec token.RefreshRecord) {
	t.Helper()

	if err := s.Save(context.Background(), rec); err != nil {
		t.Fatalf("Save: %v", err)
	}
}
