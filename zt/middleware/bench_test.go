package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/zt/middleware"
)

// BenchmarkEcho serves the same echo handler bare and behind the middleware
// (verified-token cache warm, decision from the example policy), in process,
// so that the difference is what the middleware adds. It reports per-request
// p50 and p99 latencies.
func BenchmarkEcho(b *testing.B) {
	f := newFixture(b)
	tok := f.token(b, "alice", []string{"user"})
	m, err := middleware.New(middleware.Config{
		Verifier: f.verifier, Engine: f.engine, Revocation: f.revoked, Audit: f.events,
		Routes: map[string]middleware.Route{
			"GET /v1/transactions/:id": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		},
	})
	if err != nil {
		b.Fatal(err)
	}

	for _, protected := range []bool{false, true} {
		e := echo.New()
		if protected {
			e.Use(m.Echo())
		}
		e.GET("/v1/transactions/:id", func(c echo.Context) error {
			return c.String(http.StatusOK, "ok")
		})
		name := map[bool]string{false: "handler=bare", true: "handler=protected"}[protected]
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/transactions/t1", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			for b.Loop() {
				f.events.mu.Lock()
				f.events.events = f.events.events[:0]
				f.events.mu.Unlock()
				w := httptest.NewRecorder()
				start := time.Now()
				e.ServeHTTP(w, req)
				lat = append(lat, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
