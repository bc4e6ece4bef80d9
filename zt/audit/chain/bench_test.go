package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

func benchWriter(b *testing.B) *chain.Writer {
	b.Helper()

	_, priv := newKey(b)
	w, err := chain.Open(context.Background(), chain.Config{Dir: b.TempDir(), Key: priv})
	if err != nil {
		b.Fatal(err)
	}

	b.Cleanup(func() { _ = w.Close(context.Background()) })

	return w
}

// BenchmarkAppendConcurrent measures durable appends from 128 concurrent
// callers, which the writer group-commits (one write and one fsync per
// group). It reports events per second.
func BenchmarkAppendConcurrent(b *testing.B) {
	w := benchWriter(b)
	e := event(1)

	b.SetParallelism(64)
	b.ReportAllocs()
	start := time.Now()

	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.Append(context.Background(), e); err != nil {
				b.Error(err)
				return
			}
		}
	})

	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkWriteBatch measures the writer used as a pipeline sink: batches
// of 512 events, each batch durable (fsynced) before Write returns. It
// reports events per second.
func BenchmarkWriteBatch(b *testing.B) {
	w := benchWriter(b)

	batch := make([]audit.Event, 512)
	for i := range batch {
		batch[i] = event(i)
	}

	b.ReportAllocs()
	start := time.Now()
	n := 0

	for b.Loop() {
		if err := w.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}

		n += len(batch)
	}

	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}
