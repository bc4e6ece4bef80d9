package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/sqlsink"
)

func auditSink(t *testing.T, s *Store) *sqlsink.Sink {
	t.Helper()

	dialect := sqlsink.SQLite
	if s.Dialect() == Postgres {
		dialect = sqlsink.Postgres
	}

	sink, err := sqlsink.New(sqlsink.Config{DB: s.DB(), Dialect: dialect, Table: AuditTable})
	if err != nil {
		t.Fatal(err)
	}

	if err := sink.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	return sink
}

func TestAuditEventsReadsTheSQLSink(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		sink := auditSink(t, s)

		now := time.Now()
		err := sink.Write(ctx, []audit.Event{
			{ID: "e1", Time: now.Add(-time.Second), Kind: "decision", Action: "transactions.read",
				Actor: audit.Actor{User: "u1"}, Decision: "allow", Reasons: []string{"rbac.role"}},
			{ID: "e2", Time: now, Kind: "decision", Action: "grants.create",
				Actor: audit.Actor{User: "u1"}, Decision: "deny", Status: 403},
			{ID: "e3", Time: now, Kind: "decision", Action: "grants.create",
				Actor: audit.Actor{User: "u2"}, Decision: "deny"},
		})
		if err != nil {
			t.Fatal(err)
		}

		page, err := s.AuditEvents(ctx, AuditFilter{UserID: "u1"})
		got := page.Items
		if err != nil || len(got) != 2 || got[0].ID != "e2" || got[1].Reason != "rbac.role" ||
			got[0].Actor != "u1" {
			t.Fatalf("AuditEvents(u1) = %+v, %v", got, err)
		}

		if got[0].Time == "" || got[0].Status != 403 {
			t.Fatalf("event fields: %+v", got[0])
		}

		page, err = s.AuditEvents(ctx, AuditFilter{Decision: "deny", Action: "grants.create",
			Limit: 1})
		if err != nil || len(page.Items) != 1 || page.Next == "" {
			t.Fatalf("AuditEvents(deny, limit 1) = %+v, %v", page, err)
		}
	})
}

// TestAuditKeysetPaging walks the trail two events at a time, with events
// that share a time, and checks that every event comes once, newest first,
// and that from and to bound the time.
func TestAuditKeysetPaging(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)

		var events []audit.Event
		for i := range 7 {
			events = append(events, audit.Event{ID: fmt.Sprintf("e%d", i),
				Time: base.Add(time.Duration(i/2) * time.Minute), Kind: "decision",
				Action: "profile.read", Decision: "allow"})
		}

		if err := auditSink(t, s).Write(ctx, events); err != nil {
			t.Fatal(err)
		}

		want := []string{"e6", "e5", "e4", "e3", "e2", "e1", "e0"}
		if got := walkAudit(t, s, AuditFilter{Limit: 2}); !slices.Equal(got, want) {
			t.Fatalf("pages = %v, want %v", got, want)
		}

		ranged := AuditFilter{Limit: 2, From: base.Add(time.Minute),
			To: base.Add(3 * time.Minute)}
		if got := walkAudit(t, s, ranged); !slices.Equal(got, want[1:5]) {
			t.Fatalf("from/to pages = %v, want %v", got, want[1:5])
		}

		if _, err := ParseAuditCursor("not a cursor"); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func walkAudit(t *testing.T, s *Store, f AuditFilter) []string {
	t.Helper()

	var ids []string
	for range 20 {
		page, err := s.AuditEvents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}

		for _, e := range page.Items {
			ids = append(ids, e.ID)
		}

		if page.Next == "" {
			return ids
		}

		c, err := ParseAuditCursor(page.Next)
		if err != nil {
			t.Fatal(err)
		}

		f.After = &c
	}

	t.Fatal("paging does not end")

	return nil
}
