package revoke_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

func benchList(b *testing.B, n int) *revoke.List {
	b.Helper()

	l := revoke.NewList(revoke.Config{})

	entries := make([]revoke.Entry, n)
	for i := range entries {
		entries[i] = revoke.Entry{Kind: revoke.Kind(i%5 + 1), Value: fmt.Sprint("value-", i)}
	}

	if err := l.RevokeAll(entries); err != nil {
		b.Fatal(err)
	}

	return l
}

// BenchmarkLookup measures one lookup of a value that is not revoked, the
// common case on the request path, in a set of 100 000 entries.
func BenchmarkLookup(b *testing.B) {
	l := benchList(b, 100_000)

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := l.Revoked(revoke.Session, "not-revoked-session"); ok {
				b.Fatal("unexpected hit")
			}
		}
	})
}

// BenchmarkCheckRevoked measures the full check of a principal with all five
// facets (five lookups) in a set of 100 000 entries.
func BenchmarkCheckRevoked(b *testing.B) {
	l := benchList(b, 100_000)
	p := fullPrincipal()
	ctx := context.Background()

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.CheckRevoked(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckRevokedHit measures a check that finds a revoked session.
func BenchmarkCheckRevokedHit(b *testing.B) {
	l := benchList(b, 100_000)
	if err := l.Revoke(revoke.Entry{Kind: revoke.Session, Value: "sess-1"}); err != nil {
		b.Fatal(err)
	}

	p := &zt.Principal{User: &zt.User{ID: "alice", SessionID: "sess-1"}}
	ctx := context.Background()

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := l.CheckRevoked(ctx, p); err == nil {
			b.Fatal("not revoked")
		}
	}
}

// BenchmarkRevoke measures one write into a set of 10 000 entries.
func BenchmarkRevoke(b *testing.B) {
	l := benchList(b, 10_000)

	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		if err := l.Revoke(revoke.Entry{Kind: revoke.Token, Value: fmt.Sprint("new-", i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupSerial measures one lookup from one goroutine, the latency
// a request sees.
func BenchmarkLookupSerial(b *testing.B) {
	l := benchList(b, 100_000)

	for b.Loop() {
		if _, ok := l.Revoked(revoke.Session, "not-revoked-session"); ok {
			b.Fatal("unexpected hit")
		}
	}
}
