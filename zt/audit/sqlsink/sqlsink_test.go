package sqlsink_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/sqlsink"
)

func event(i int) audit.Event {
	return audit.Event{
		ID: fmt.Sprint("ev-", i), Time: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC),
		Kind: "decision", Actor: audit.Actor{User: "alice", Session: "s1", Device: "d1"},
		Action: "transactions.read", Resource: audit.Resource{Type: "transaction", ID: "t1"},
		Decision: "deny", Reasons: []string{"policy.undefined", "o'quote"},
		RequestID: "req-1", Status: 403, Attributes: map[string]string{"k": "v"},
	}
}

func newSink(t *testing.T, b testenv.SQLBackend, rows int) (*sqlsink.Sink, *sql.DB, string) {
	t.Helper()

	db := b.Open(t)
	table := testenv.TempTable(t, db, "audit_test")

	sink, err := sqlsink.New(sqlsink.Config{DB: db, Dialect: b.Dialect, Table: table, RowsPerInsert: rows})
	if err != nil {
		t.Fatal(err)
	}

	if err := sink.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	if err := sink.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}

	return sink, db, table
}

func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()

	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}

	return n
}

func TestSinkThroughPipeline(t *testing.T) {
	for _, b := range testenv.SQLBackends {
		t.Run(b.Name, func(t *testing.T) {
			sink, db, table := newSink(t, b, 37)

			p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{{Name: "sql", Sink: sink}}})
			if err != nil {
				t.Fatal(err)
			}

			for i := range 500 {
				if err := p.Emit(context.Background(), event(i)); err != nil {
					t.Fatal(err)
				}
			}

			if err := p.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			if n := count(t, db, table); n != 500 {
				t.Fatalf("%d rows, want 500", n)
			}

			var user, decision, reasons string
			var status int
			err = db.QueryRow("SELECT actor_user, decision, reasons, status FROM "+table+
				" WHERE id = 'ev-7'").Scan(&user, &decision, &reasons, &status)
			if err != nil {
				t.Fatal(err)
			}

			if user != "alice" || decision != "deny" || status != 403 || !strings.Contains(reasons, "o'quote") {
				t.Fatalf("row = %s %s %s %d", user, decision, reasons, status)
			}
		})
	}
}

func TestRetriedBatchNotDuplicated(t *testing.T) {
	for _, b := range testenv.SQLBackends {
		t.Run(b.Name, func(t *testing.T) {
			sink, db, table := newSink(t, b, 0)
			batch := []audit.Event{event(1), event(2), event(3)}

			for range 2 {
				if err := sink.Write(context.Background(), batch); err != nil {
					t.Fatal(err)
				}
			}

			if n := count(t, db, table); n != 3 {
				t.Fatalf("%d rows, want 3", n)
			}
		})
	}
}

func TestNoSecretReachesTheTable(t *testing.T) {
	for _, b := range testenv.SQLBackends {
		t.Run(b.Name, func(t *testing.T) {
			sink, db, table := newSink(t, b, 0)
			p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{{Name: "sql", Sink: sink}}})
			if err != nil {
				t.Fatal(err)
			}

			e := event(1)
			e.Attributes = map[string]string{"password": "hunter2-secret", "note": "Bearer abcdefgh12345678"}
			if err := p.Emit(context.Background(), e); err != nil {
				t.Fatal(err)
			}

			if err := p.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			var attrs string
			if err := db.QueryRow("SELECT attributes FROM " + table).Scan(&attrs); err != nil {
				t.Fatal(err)
			}

			if strings.Contains(attrs, "hunter2") || strings.Contains(attrs, "abcdefgh12345678") {
				t.Fatalf("secret stored: %s", attrs)
			}
		})
	}
}

func TestBadConfigAndEvents(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for name, cfg := range map[string]sqlsink.Config{
		"no db":      {Dialect: sqlsink.SQLite},
		"no dialect": {DB: db},
		"injection":  {DB: db, Dialect: sqlsink.SQLite, Table: "x; DROP TABLE y"},
		"quoted":     {DB: db, Dialect: sqlsink.SQLite, Table: `"x"`},
	} {
		if _, err := sqlsink.New(cfg); err == nil {
			t.Fatalf("%s: accepted", name)
		}
	}

	sink, err := sqlsink.New(sqlsink.Config{DB: db, Dialect: sqlsink.SQLite})
	if err != nil {
		t.Fatal(err)
	}

	if err := sink.Write(context.Background(), []audit.Event{{}}); err == nil {
		t.Fatal("an event without ID was accepted")
	}
}
