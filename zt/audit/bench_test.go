package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// BenchmarkEmit measures the latency of Emit (scrub and enqueue) with the
// default Block policy, for one and for three sinks that discard what they
// get; it reports the median and 99th percentile.
func BenchmarkEmit(b *testing.B) {
	for _, sinks := range []int{1, 3} {
		b.Run(fmt.Sprint("sinks=", sinks), func(b *testing.B) {
			var cfg audit.Config
			for i := range sinks {
				cfg.Sinks = append(cfg.Sinks, audit.SinkConfig{
					Name: fmt.Sprint("s", i), Sink: audit.SinkFunc(discard), QueueSize: 1 << 16,
				})
			}

			p, err := audit.NewPipeline(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close(context.Background())

			e := event(1)
			e.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0"
			e.Attributes = map[string]string{"tenant": "acme", "channel": "web"}

			ctx := context.Background()
			lat := make([]time.Duration, 0, 1<<20)

			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				if err := p.Emit(ctx, e); err != nil {
					b.Fatal(err)
				}

				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(start))
				}
			}

			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}

func discard(context.Context, []audit.Event) error { return nil }
