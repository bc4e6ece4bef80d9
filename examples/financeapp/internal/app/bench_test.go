package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/examples/financeapp/internal/storetest"
)

// benchRows is the number of transactions seeded: FINANCEAPP_BENCH_ROWS, or
// 10 000 (CI-sized). The 1M figure in docs/benchmarks.md comes from
// FINANCEAPP_BENCH_ROWS=1000000.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("FINANCEAPP_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}

	return 10000
}

// BenchmarkAuditorList measures the auditor's filtered list end to end:
// HTTPS to public, mTLS to the auditor service and the backend, three
// token checks and policy decisions, the partial evaluation into SQL and
// the query, over N transactions of 100 owners, three of whom shared with
// the auditor (everything, a date range, a category).
func BenchmarkAuditorList(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchAuditorList(b, app.Config{})
	})

	b.Run("postgres", func(b *testing.B) {
		benchAuditorList(b, app.Config{Dialect: store.Postgres, DSN: storetest.PostgresSchema(b)})
	})
}

func benchAuditorList(b *testing.B, cfg app.Config) {
	e := startWith(b, cfg)
	aud := e.signUp("auditor", domain.RoleAuditor)
	seed(b, e, aud.id, benchRows())

	lat := make([]time.Duration, 0, 1024)
	start := time.Now()

	for b.Loop() {
		t0 := time.Now()
		r := e.do("GET", "/v1/auditor/transactions?limit=50", aud.token, nil)
		lat = append(lat, time.Since(t0))

		if r.status != 200 {
			b.Fatalf("list: %d %s", r.status, r.body)
		}
	}

	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// seed inserts n transactions over 100 owners in one database transaction
// and makes three owners share with the auditor.
func seed(b *testing.B, e *env, auditor string, n int) {
	ctx := context.Background()
	st := e.p.Store()

	owners := make([]string, 100)
	for i := range owners {
		u, err := st.CreateUser(ctx, fmt.Sprintf("owner%d@bench.test", i), "owner", "x")
		if err != nil {
			b.Fatal(err)
		}

		if err := st.SetRole(ctx, u.ID, domain.RoleUser); err != nil {
			b.Fatal(err)
		}

		owners[i] = u.ID
	}

	if err := insertRows(ctx, st.DB(), owners, n); err != nil {
		b.Fatal(err)
	}

	now := time.Now()
	for i, in := range []domain.GrantInput{
		{Scope: "all"},
		{Scope: "date_range", DateFrom: "2025-01-01", DateTo: "2025-06-30"},
		{Scope: "categories", Categories: []string{"investment"}},
	} {
		in.AuditorID, in.ExpiresAt = auditor, now.Add(time.Hour)

		g, err := in.Validate(owners[i], now)
		if err != nil {
			b.Fatal(err)
		}

		if _, err := st.CreateGrant(ctx, g); err != nil {
			b.Fatal(err)
		}
	}

	if err := e.p.Publish(ctx); err != nil {
		b.Fatal(err)
	}
}

func insertRows(ctx context.Context, db *sql.DB, owners []string, n int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	stmt, err := tx.PrepareContext(ctx, `INSERT INTO transactions (id, owner_id, amount_minor,
		currency, payment_type, category, description, location, date, created_at,
		updated_at) VALUES ($1, $2, $3, 'INR', 'upi', $4, 'bench', 'Pune', $5, 0, 0)`)
	if err != nil {
		return err
	}

	cats := []string{"expense", "saving", "investment"}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	for i := range n {
		date := day.AddDate(0, 0, i%730).Format(domain.DateLayout)
		if _, err := stmt.ExecContext(ctx, store.NewID(), owners[i%len(owners)],
			int64(100+i), cats[i%3], date); err != nil {
			return err
		}
	}

	return tx.Commit()
}
