package store

import (
	"context"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/sqlsink"
)

func TestAuditEventsReadsTheSQLSink(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		dialect := sqlsink.SQLite
		if s.Dialect() == Postgres {
			dialect = sqlsink.Postgres
		}

		sink, err := sqlsink.New(sqlsink.Config{DB: s.DB(), Dialect: dialect, Table: AuditTable})
		if err != nil {
			t.Fatal(err)
		}

		if err := sink.Migrate(ctx); err != nil {
			t.Fatal(err)
		}

		now := time.Now()
		err = sink.Write(ctx, []audit.Event{
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

		got, err := s.AuditEvents(ctx, AuditFilter{UserID: "u1"})
		if err != nil || len(got) != 2 || got[0].ID != "e2" || got[1].Reason != "rbac.role" ||
			got[0].Actor != "u1" {
			t.Fatalf("AuditEvents(u1) = %+v, %v", got, err)
		}

		if got[0].Time == "" || got[0].Status != 403 {
			t.Fatalf("event fields: %+v", got[0])
		}

		got, err = s.AuditEvents(ctx, AuditFilter{Decision: "deny", Action: "grants.create", Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("AuditEvents(deny, limit 1) = %+v, %v", got, err)
		}
	})
}
