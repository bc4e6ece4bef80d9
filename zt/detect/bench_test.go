package detect_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
)

// stream returns a synthetic audit stream: 2000 users reading 10000
// resources, with one denial in 20 and one failed sign-in in 50.
func stream(n int) []audit.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	events := make([]audit.Event, n)
	for i := range events {
		user := "user-" + strconv.Itoa(rng.IntN(2000))
		e := audit.Event{
			Time:       t0.Add(time.Duration(i) * time.Millisecond),
			Kind:       detect.KindDecision,
			Decision:   "allow",
			Actor:      audit.Actor{User: user, Session: "s-" + user},
			Action:     "transactions.read",
			Resource:   audit.Resource{Type: "transaction", ID: "t" + strconv.Itoa(rng.IntN(10000))},
			SourceAddr: "198.51.100." + strconv.Itoa(rng.IntN(250)) + ":443",
		}
		switch r := rng.IntN(100); {
		case r < 2:
			e.Kind, e.Decision = detect.KindLogin, "deny"
		case r < 7:
			e.Decision = "deny"
		case r < 8:
			e.Kind = detect.KindLogin
		}
		events[i] = e
	}

	return events
}

// BenchmarkMonitorEmit is the cost the detectors add to each audit event,
// with the per-event p50 and p99 reported.
func BenchmarkMonitorEmit(b *testing.B) {
	events := stream(1 << 16)
	m := detect.NewMonitor(detect.MonitorConfig{
		Handler: detect.HandlerFunc(func(_ context.Context, a detect.Alert) (detect.Alert, error) {
			return a, nil
		}),
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = m.Run(ctx) }()

	samples := make([]time.Duration, 0, min(b.N, 1<<20))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e := events[i%len(events)]
		if len(samples) < cap(samples) {
			start := time.Now()
			_ = m.Emit(ctx, e)
			samples = append(samples, time.Since(start))
			continue
		}
		_ = m.Emit(ctx, e)
	}
	b.StopTimer()

	slices.Sort(samples)
	if len(samples) > 0 {
		b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns")
	}
}

// BenchmarkMonitorParallel is the detectors' cost under concurrent requests.
func BenchmarkMonitorParallel(b *testing.B) {
	events := stream(1 << 16)
	m := detect.NewMonitor(detect.MonitorConfig{})

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			_ = m.Emit(context.Background(), events[i%len(events)])
		}
	})
}

// BenchmarkRiskLookup is the cost of the middleware's risk hook.
func BenchmarkRiskLookup(b *testing.B) {
	s := detect.NewRiskStore(detect.RiskConfig{})
	for i := range 1000 {
		s.Raise(detect.RiskKey{Kind: "user", Value: "user-" + strconv.Itoa(i)}, 30, "x", time.Hour)
	}
	p := &zt.Principal{User: &zt.User{ID: "user-7", SessionID: "s-7"}}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Risk(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}
