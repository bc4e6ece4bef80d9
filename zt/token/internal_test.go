package token

import (
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
)

func TestCacheBounded(t *testing.T) {
	c := newCache(64)
	now := time.Now()

	for i := range 1000 {
		key := sha256.Sum256([]byte(strconv.Itoa(i)))
		c.put(key, &zt.Principal{}, now.Add(time.Minute), now)

		if c.len() > 64 {
			t.Fatalf("cache holds %d entries, bound is 64", c.len())
		}
	}

	last := sha256.Sum256([]byte("999"))
	if _, ok := c.get(last, now); !ok {
		t.Fatal("newest entry evicted")
	}

	if _, ok := c.get(last, now.Add(time.Minute)); ok {
		t.Fatal("entry served at its expiry")
	}
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	c := newCache(8)
	now := time.Now()

	live := sha256.Sum256([]byte("live"))
	c.put(live, &zt.Principal{}, now.Add(time.Hour), now)

	for i := range 7 {
		key := sha256.Sum256([]byte(strconv.Itoa(i)))
		c.put(key, &zt.Principal{}, now.Add(time.Second), now)
	}

	later := now.Add(time.Minute)
	c.put(sha256.Sum256([]byte("new")), &zt.Principal{}, later.Add(time.Hour), later)

	if _, ok := c.get(live, later); !ok || c.len() != 2 {
		t.Fatalf("live entry lost or expired kept: len %d", c.len())
	}
}

func TestMemoryRefreshStorePrunesEndedFamilies(t *testing.T) {
	var s MemoryRefreshStore
	start := time.Now()

	old := RefreshRecord{Hash: "old", Family: "old", IssuedAt: start, FamilyExpiresAt: start.Add(time.Hour)}
	if err := s.Save(t.Context(), old); err != nil {
		t.Fatal(err)
	}

	later := start.Add(2 * time.Hour)
	for i := range 1023 {
		rec := RefreshRecord{
			Hash: strconv.Itoa(i), Family: strconv.Itoa(i),
			IssuedAt: later, FamilyExpiresAt: later.Add(time.Hour),
		}
		if err := s.Save(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := s.Use(t.Context(), "old"); err != ErrRefreshUnknown {
		t.Fatalf("ended family kept: %v", err)
	}

	if _, err := s.Use(t.Context(), "7"); err != nil {
		t.Fatalf("live family pruned: %v", err)
	}
}

func TestMaxAge(t *testing.T) {
	tests := map[string]time.Duration{
		"":                            0,
		"no-store":                    0,
		"public, max-age=300":         300 * time.Second,
		"MAX-AGE=60, must-revalidate": time.Minute,
		`max-age="30"`:                30 * time.Second,
		"max-age=-5":                  0,
		"max-age=abc":                 0,
		"s-maxage=10":                 0,
	}

	for header, want := range tests {
		if got := maxAge(header); got != want {
			t.Errorf("maxAge(%q) = %s, want %s", header, got, want)
		}
	}
}
