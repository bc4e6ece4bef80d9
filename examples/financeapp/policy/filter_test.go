package policy

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/examples/financeapp/internal/storetest"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

// TestFilterWithHostileValues partially evaluates the auditor's row filter
// with grant facts full of SQL metacharacters and runs the WHERE clause
// that OPA's compile API interpolates, on SQLite and PostgreSQL: the values
// must stay literals, match nothing they should not, and leave the tables
// intact.
func TestFilterWithHostileValues(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := store.Open(context.Background(), store.SQLite,
			filepath.Join(t.TempDir(), "f.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()

		hostileFilter(t, st, pep.DialectSQLite)
	})

	t.Run("postgres", func(t *testing.T) {
		hostileFilter(t, postgresStore(t), pep.DialectPostgreSQL)
	})
}

func hostileFilter(t *testing.T, st *store.Store, dialect string) {
	ctx := context.Background()

	owner, err := st.CreateUser(ctx, "o@example.test", "o", "x")
	if err != nil {
		t.Fatal(err)
	}

	in := domain.TransactionInput{AmountMinor: 1, Currency: "INR", PaymentType: "upi",
		Category: "saving", Date: "2026-01-01"}
	if _, err := st.CreateTransaction(ctx, owner.ID, in); err != nil {
		t.Fatal(err)
	}

	hostile := []string{`x' OR '1'='1`, `'); DROP TABLE transactions; --`, `a\' OR 1=1 --`,
		`" OR ""="`, `ünï'cödé`, owner.ID + `' OR owner_id <> '`}

	engine := filterEngine(t, dialect, owner.ID, hostile)

	for _, h := range append(hostile, "") {
		p := &zt.Principal{User: &zt.User{ID: "aud", Roles: []string{"auditor"}}}
		inp := &pep.Input{Principal: p, Request: zt.Request{Action: "auditor.transactions",
			Time: time.Now()}, Context: map[string]any{"now_ns": time.Now().UnixNano()}}
		if h != "" {
			inp.Context["owner_id"] = h
		}

		f, err := engine.Filter(ctx, "transactions", inp)
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}

		where, args := f.Condition()
		// The list's own parameters (category, dates, limit) follow the
		// filter's: the numbering must line up on both databases.
		page, err := st.FilteredTransactions(ctx, where, args, store.TxFilter{
			Category: "saving", From: "2025-01-01", To: "2027-01-01", Limit: 10})
		if err != nil {
			t.Fatalf("%q: %s: %v", h, where, err)
		}

		want := 0
		if h == "" {
			want = 1 // the one honest grant: the owner's savings
		}

		if len(page.Items) != want {
			t.Fatalf("%q: %d rows, want %d (%s)", h, len(page.Items), want, where)
		}
	}

	if _, err := st.Transactions(ctx, owner.ID, store.TxFilter{}); err != nil {
		t.Fatalf("the transactions table did not survive: %v", err)
	}
}

// filterEngine loads the policy with an auditor "aud" holding one honest
// grant (owner's savings) and grants whose owners and categories are
// hostile strings.
func filterEngine(t *testing.T, dialect, owner string, hostile []string) *pep.Engine {
	ctx := context.Background()

	bundle, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}

	// A generous timeout: under -race on a loaded machine partial evaluation
	// can exceed the default, and a timeout is (rightly) a refusal.
	e, err := pep.New(ctx, pep.Config{Policies: bundle, Timeout: 5 * time.Second,
		Entrypoints: []string{Entrypoint(routes.Backend)},
		Filters: map[string]pep.FilterSpec{"transactions": {Query: FilterQuery,
			Table: "transactions", Dialect: dialect}}})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { e.Close() })

	exp := time.Now().Add(time.Hour).UnixNano()
	grants := []any{map[string]any{"owner": owner, "scope": "categories",
		"categories": []any{"saving"}, "expires_ns": exp}}

	for _, h := range hostile {
		grants = append(grants,
			map[string]any{"owner": h, "scope": "all", "expires_ns": exp},
			map[string]any{"owner": owner, "scope": "categories", "categories": []any{h},
				"expires_ns": exp},
			map[string]any{"owner": owner, "scope": "date_range", "date_from": h,
				"date_to": h, "expires_ns": exp})
	}

	_, err = e.Update(ctx, func(tx *pep.Tx) error {
		tx.SetRoles("aud", "auditor")
		tx.SetFact("grants", map[string]any{"aud": grants})

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	return e
}

func postgresStore(t *testing.T) *store.Store {
	st, err := store.Open(context.Background(), store.Postgres, storetest.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { st.Close() })

	return st
}
