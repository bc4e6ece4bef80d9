package redissync_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt/revoke"
)

// BenchmarkPropagation measures the time from Revoke on one replica to the
// revocation being enforced by another, through the Redis on loopback. It
// reports the 50th and 99th percentiles.
func BenchmarkPropagation(b *testing.B) {
	addr := testenv.RedisAddr(b)
	prefix := newPrefix()

	from, to := startReplica(b, addr, prefix), startReplica(b, addr, prefix)
	waitUntil(b, "synced", func() bool { return from.rep.Synced() && to.rep.Synced() })
	ctx := context.Background()

	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		v := fmt.Sprint("bench-", i)
		start := time.Now()

		if err := from.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Token, Value: v}); err != nil {
			b.Fatal(err)
		}

		for {
			if _, ok := to.list.Revoked(revoke.Token, v); ok {
				break
			}

			runtime.Gosched()
		}

		lat = append(lat, time.Since(start))
	}

	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
