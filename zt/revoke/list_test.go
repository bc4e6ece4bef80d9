package revoke_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

// clock is a settable time source for tests.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())

	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

func fullPrincipal() *zt.Principal {
	return &zt.Principal{
		User:     &zt.User{ID: "alice", SessionID: "sess-1"},
		Device:   &zt.Device{ID: "dev-1"},
		Workload: &zt.Workload{ID: "spiffe://example.org/web"},
		Token:    &zt.Token{ID: "jti-1"},
	}
}

func TestCheckRevokedEachKind(t *testing.T) {
	tests := []struct {
		name  string
		entry revoke.Entry
	}{
		{"token", revoke.Entry{Kind: revoke.Token, Value: "jti-1"}},
		{"session", revoke.Entry{Kind: revoke.Session, Value: "sess-1"}},
		{"subject", revoke.Entry{Kind: revoke.Subject, Value: "alice"}},
		{"device", revoke.Entry{Kind: revoke.Device, Value: "dev-1"}},
		{"workload", revoke.Entry{Kind: revoke.Workload, Value: "spiffe://example.org/web"}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := revoke.NewList(revoke.Config{})
			p := fullPrincipal()

			if err := l.CheckRevoked(context.Background(), p); err != nil {
				t.Fatalf("before revocation: %v", err)
			}

			tc.entry.Reason = "test.reason"
			if err := l.Revoke(tc.entry); err != nil {
				t.Fatal(err)
			}

			err := l.CheckRevoked(context.Background(), p)
			assertRevoked(t, err, tc.entry.Kind)

			other := &zt.Principal{User: &zt.User{ID: "bob", SessionID: "sess-2"}}
			if err := l.CheckRevoked(context.Background(), other); err != nil {
				t.Fatalf("unrelated principal refused: %v", err)
			}
		})
	}
}

func assertRevoked(t *testing.T, err error, kind revoke.Kind) {
	t.Helper()

	if !errors.Is(err, zt.ErrRevoked) {
		t.Fatalf("err = %v, want zt.ErrRevoked", err)
	}

	if zt.CodeOf(err) != zt.CodeInvalidToken || zt.ReasonOf(err) != zt.ReasonRevoked {
		t.Fatalf("code %q reason %q", zt.CodeOf(err), zt.ReasonOf(err))
	}

	var re *revoke.RevokedError
	if !errors.As(err, &re) || re.Kind != kind || re.Reason != "test.reason" {
		t.Fatalf("cause = %#v, want kind %v", re, kind)
	}
}

func TestKindsDoNotCollide(t *testing.T) {
	l := revoke.NewList(revoke.Config{})
	if err := l.Revoke(revoke.Entry{Kind: revoke.Session, Value: "x"}); err != nil {
		t.Fatal(err)
	}

	p := &zt.Principal{User: &zt.User{ID: "x"}, Token: &zt.Token{ID: "x"}}
	if err := l.CheckRevoked(context.Background(), p); err != nil {
		t.Fatalf("a session entry revoked another kind with the same value: %v", err)
	}
}

func TestNilAndEmptyPrincipal(t *testing.T) {
	l := revoke.NewList(revoke.Config{})
	if err := l.Revoke(revoke.Entry{Kind: revoke.Subject, Value: "alice"}); err != nil {
		t.Fatal(err)
	}

	for _, p := range []*zt.Principal{nil, {}, {User: &zt.User{}}} {
		if err := l.CheckRevoked(context.Background(), p); err != nil {
			t.Fatalf("CheckRevoked(%+v) = %v", p, err)
		}
	}
}

func TestExpiry(t *testing.T) {
	c := newClock()
	l := revoke.NewList(revoke.Config{Now: c.Now, DefaultTTL: time.Hour})

	explicit := revoke.Entry{Kind: revoke.Token, Value: "t", Expires: c.Now().Add(time.Minute)}
	defaulted := revoke.Entry{Kind: revoke.Session, Value: "s"}
	if err := l.RevokeAll([]revoke.Entry{explicit, defaulted}); err != nil {
		t.Fatal(err)
	}

	c.Advance(time.Minute)
	if _, ok := l.Revoked(revoke.Token, "t"); ok {
		t.Fatal("token entry outlived its expiry")
	}

	if _, ok := l.Revoked(revoke.Session, "s"); !ok {
		t.Fatal("session entry expired before the default TTL")
	}

	c.Advance(time.Hour)
	if _, ok := l.Revoked(revoke.Session, "s"); ok {
		t.Fatal("session entry outlived the default TTL")
	}

	if got := l.Sweep(); got != 2 {
		t.Fatalf("Sweep dropped %d entries, want 2", got)
	}

	if l.Len() != 0 {
		t.Fatalf("Len = %d after sweep", l.Len())
	}
}

func TestAlreadyExpiredEntryIgnored(t *testing.T) {
	c := newClock()
	l := revoke.NewList(revoke.Config{Now: c.Now})

	e := revoke.Entry{Kind: revoke.Token, Value: "t", Expires: c.Now().Add(-time.Second)}
	if err := l.Revoke(e); err != nil {
		t.Fatal(err)
	}

	if l.Len() != 0 {
		t.Fatal("an expired entry was stored")
	}
}

func TestLaterExpiryWins(t *testing.T) {
	c := newClock()

	var mu sync.Mutex
	var seen []revoke.Entry
	l := revoke.NewList(revoke.Config{Now: c.Now, OnRevoke: func(es []revoke.Entry) {
		mu.Lock()
		seen = append(seen, es...)
		mu.Unlock()
	}})

	long := revoke.Entry{Kind: revoke.Device, Value: "d", Expires: c.Now().Add(time.Hour)}
	short := revoke.Entry{Kind: revoke.Device, Value: "d", Expires: c.Now().Add(time.Minute)}

	for _, e := range []revoke.Entry{long, short} {
		if err := l.Revoke(e); err != nil {
			t.Fatal(err)
		}
	}

	got, ok := l.Revoked(revoke.Device, "d")
	if !ok || !got.Expires.Equal(long.Expires) {
		t.Fatalf("Revoked = %+v %v, want the later expiry", got, ok)
	}

	if len(seen) != 1 {
		t.Fatalf("OnRevoke saw %d entries, want 1 (the shorter one changes nothing)", len(seen))
	}

	if l.Generation() != 1 {
		t.Fatalf("Generation = %d, want 1", l.Generation())
	}
}

func TestInvalidEntries(t *testing.T) {
	tests := []struct {
		name  string
		entry revoke.Entry
	}{
		{"zero kind", revoke.Entry{Value: "x"}},
		{"unknown kind", revoke.Entry{Kind: 99, Value: "x"}},
		{"empty value", revoke.Entry{Kind: revoke.Token}},
		{"oversized value", revoke.Entry{Kind: revoke.Token, Value: strings.Repeat("a", revoke.MaxValueLen+1)}},
		{"NUL in value", revoke.Entry{Kind: revoke.Token, Value: "a\x00b"}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := revoke.NewList(revoke.Config{})
			good := revoke.Entry{Kind: revoke.Token, Value: "ok"}

			err := l.RevokeAll([]revoke.Entry{good, tc.entry})
			if !errors.Is(err, revoke.ErrInvalidEntry) {
				t.Fatalf("err = %v, want ErrInvalidEntry", err)
			}

			if l.Len() != 0 {
				t.Fatal("a batch with an invalid entry was partly applied")
			}
		})
	}
}

func TestKindText(t *testing.T) {
	for k := revoke.Token; k <= revoke.Workload; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}

		var back revoke.Kind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Fatalf("round trip of %v: %v %v", k, back, err)
		}
	}

	var k revoke.Kind
	if err := k.UnmarshalText([]byte("cookie")); !errors.Is(err, revoke.ErrInvalidEntry) {
		t.Fatalf("err = %v", err)
	}

	if _, err := revoke.Kind(0).MarshalText(); err == nil {
		t.Fatal("the zero kind marshalled")
	}
}

func TestEntriesSnapshot(t *testing.T) {
	l := revoke.NewList(revoke.Config{})

	var in []revoke.Entry
	for i := range 500 {
		in = append(in, revoke.Entry{Kind: revoke.Kind(i%5 + 1), Value: fmt.Sprint("v", i)})
	}

	if err := l.RevokeAll(in); err != nil {
		t.Fatal(err)
	}

	if got := len(l.Entries()); got != 500 {
		t.Fatalf("Entries returned %d, want 500", got)
	}
}

// TestConcurrentReadersAndWriters is meant for -race: readers never block
// while writers replace shards.
func TestConcurrentReadersAndWriters(t *testing.T) {
	l := revoke.NewList(revoke.Config{})
	ctx := context.Background()

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				e := revoke.Entry{Kind: revoke.Session, Value: fmt.Sprintf("s-%d-%d", w, i)}
				if err := l.Revoke(e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}

	for range 4 {
		wg.Go(func() {
			for i := range 2000 {
				p := &zt.Principal{User: &zt.User{ID: "u", SessionID: fmt.Sprintf("s-0-%d", i%200)}}
				_ = l.CheckRevoked(ctx, p)
			}
		})
	}

	wg.Wait()

	for w := range 4 {
		for i := range 200 {
			if _, ok := l.Revoked(revoke.Session, fmt.Sprintf("s-%d-%d", w, i)); !ok {
				t.Fatalf("s-%d-%d lost", w, i)
			}
		}
	}
}

func TestIssuedBefore(t *testing.T) {
	c := newClock()
	l := revoke.NewList(revoke.Config{Now: c.Now})
	cut := c.Now()

	if err := l.Revoke(revoke.Entry{
		Kind: revoke.Subject, Value: "alice", IssuedBefore: cut, Reason: "test.reason",
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		token   *zt.Token
		revoked bool
	}{
		{"older token", &zt.Token{IssuedAt: cut.Add(-time.Minute)}, true},
		{"newer token", &zt.Token{IssuedAt: cut.Add(time.Second)}, false},
		{"token issued at the cut", &zt.Token{IssuedAt: cut}, false},
		{"token without iat", &zt.Token{}, true},
		{"no token", nil, true},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &zt.Principal{User: &zt.User{ID: "alice"}, Token: tc.token}
			err := l.CheckRevoked(context.Background(), p)

			if tc.revoked {
				assertRevoked(t, err, revoke.Subject)
			} else if err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}

	// A later revocation without a bound widens the entry to every
	// credential.
	if err := l.Revoke(revoke.Entry{Kind: revoke.Subject, Value: "alice", Reason: "test.reason"}); err != nil {
		t.Fatal(err)
	}

	p := &zt.Principal{User: &zt.User{ID: "alice"}, Token: &zt.Token{IssuedAt: cut.Add(time.Hour)}}
	assertRevoked(t, l.CheckRevoked(context.Background(), p), revoke.Subject)

	if got, _ := l.Revoked(revoke.Subject, "alice"); !got.IssuedBefore.IsZero() {
		t.Fatalf("IssuedBefore = %v after widening", got.IssuedBefore)
	}
}

func TestLift(t *testing.T) {
	clk := newClock()

	var seen []string
	l := revoke.NewList(revoke.Config{Now: clk.Now, OnLift: func(k revoke.Kind, v string) {
		seen = append(seen, k.String()+"|"+v)
	}})
	spiffeID := "spiffe://example.org/ns/prod/sa/billing"
	p := &zt.Principal{Workload: &zt.Workload{ID: spiffeID}}

	if err := l.Revoke(revoke.Entry{
		Kind: revoke.Workload, Value: spiffeID, Reason: "test.reason",
	}); err != nil {
		t.Fatal(err)
	}

	assertRevoked(t, l.CheckRevoked(context.Background(), p), revoke.Workload)

	gen := l.Generation()

	lifted, err := l.Lift(revoke.Workload, spiffeID)
	if err != nil || !lifted {
		t.Fatalf("Lift = %v, %v; want true, nil", lifted, err)
	}

	if err := l.CheckRevoked(context.Background(), p); err != nil {
		t.Fatalf("lifted workload refused: %v", err)
	}

	if l.Generation() == gen || l.Len() != 0 {
		t.Fatalf("generation %d (was %d), len %d", l.Generation(), gen, l.Len())
	}

	if lifted, _ := l.Lift(revoke.Workload, spiffeID); lifted {
		t.Fatal("second Lift reported a withdrawal")
	}

	if lifted, _ := l.Lift(revoke.Device, spiffeID); lifted {
		t.Fatal("Lift of another kind reported a withdrawal")
	}

	if want := []string{revoke.Workload.String() + "|" + spiffeID}; !slices.Equal(seen, want) {
		t.Fatalf("OnLift saw %q, want %q (only the lift that withdrew an entry)", seen, want)
	}
}

func TestLiftExpiredEntryReportsFalse(t *testing.T) {
	clk := newClock()
	l := revoke.NewList(revoke.Config{Now: clk.Now})

	err := l.Revoke(revoke.Entry{
		Kind: revoke.Session, Value: "s1", Expires: clk.Now().Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(2 * time.Minute)

	if lifted, err := l.Lift(revoke.Session, "s1"); err != nil || lifted {
		t.Fatalf("Lift of an expired entry = %v, %v; want false, nil", lifted, err)
	}

	if l.Len() != 0 {
		t.Fatalf("Len = %d after lift swept the shard", l.Len())
	}
}

func TestLiftRejectsInvalidInput(t *testing.T) {
	l := revoke.NewList(revoke.Config{})

	for _, tc := range []struct {
		kind  revoke.Kind
		value string
	}{{0, "x"}, {revoke.Session, ""}, {revoke.Session, "a\x00b"}} {
		if _, err := l.Lift(tc.kind, tc.value); !errors.Is(err, revoke.ErrInvalidEntry) {
			t.Errorf("Lift(%v, %q) = %v; want ErrInvalidEntry", tc.kind, tc.value, err)
		}
	}
}
