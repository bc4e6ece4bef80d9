package sqlstore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/sqlstore"
	"github.com/ztkit/ztkit/zt/revoke"
)

// newStore returns a migrated Store on a fresh table of b.
func newStore(t *testing.T, b testenv.SQLBackend) *sqlstore.Store {
	t.Helper()

	db := b.Open(t)

	table := testenv.TempTable(t, db, "alerts_test")

	s, err := sqlstore.New(sqlstore.Config{DB: db, Dialect: b.Dialect, Table: table, MaxList: 5})
	if err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Migrating again changes nothing.
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}

	return s
}

func each(t *testing.T, f func(t *testing.T, s *sqlstore.Store)) {
	for _, b := range testenv.SQLBackends {
		t.Run(b.Name, func(t *testing.T) { f(t, newStore(t, b)) })
	}
}

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 123456789, time.UTC)

func sample(id string, at time.Time, sev detect.Severity, source string) detect.Alert {
	return detect.Alert{
		ID: id, Time: at, Source: source, Rule: "Terminal shell in container", Severity: sev,
		Reasons: []string{"falco.rule"}, Tags: []string{"container", "shell"},
		Subject: detect.Subject{Workload: "spiffe://example.org/web", SourceAddr: "10.0.0.7",
			Kubernetes: &detect.Kubernetes{Namespace: "prod", Pod: "web-1"}},
		Attributes: map[string]string{"proc": "bash"},
		Outcomes: []detect.Outcome{{Rule: "shell", Action: "quarantine",
			Target: "spiffe://example.org/web", Taken: true, Until: at.Add(15 * time.Minute)}},
	}
}

func TestRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		want := sample("a1", t0, detect.SeverityHigh, detect.SourceFalco)

		if err := s.Add(ctx, want); err != nil {
			t.Fatal(err)
		}

		got, err := s.Get(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}

		assertSame(t, got, want)
	})
}

func TestAddReplacesByID(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		a := sample("a1", t0, detect.SeverityHigh, detect.SourceFalco)

		if err := s.Add(ctx, a); err != nil {
			t.Fatal(err)
		}

		a.Outcomes[0].Lifted = t0.Add(time.Minute)
		if err := s.Add(ctx, a); err != nil {
			t.Fatal(err)
		}

		all, err := s.List(ctx, detect.Query{})
		if err != nil || len(all) != 1 {
			t.Fatalf("List = %d alerts, %v; want the one alert", len(all), err)
		}

		assertSame(t, all[0], a)
	})
}

func TestListFiltersAndOrders(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()

		// Added out of time order: List orders by the alert's time.
		for _, a := range []detect.Alert{
			sample("mid", t0.Add(time.Hour), detect.SeverityMedium, "brute_force"),
			sample("old", t0, detect.SeverityHigh, detect.SourceFalco),
			sample("new", t0.Add(2*time.Hour), detect.SeverityLow, detect.SourceFalco),
		} {
			if err := s.Add(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		for _, tc := range []struct {
			name string
			q    detect.Query
			want []string
		}{
			{"all", detect.Query{}, []string{"new", "mid", "old"}},
			{"severity", detect.Query{MinSeverity: detect.SeverityMedium}, []string{"mid", "old"}},
			{"since", detect.Query{Since: t0.Add(time.Hour)}, []string{"new", "mid"}},
			{"source", detect.Query{Source: detect.SourceFalco}, []string{"new", "old"}},
			{"limit", detect.Query{Limit: 1}, []string{"new"}},
			{"nothing", detect.Query{MinSeverity: detect.SeverityCritical}, nil},
		} {
			got, err := s.List(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}

			if ids := idsOf(got); !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, ids, tc.want)
			}
		}
	})
}

func TestListIsCappedByMaxList(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()

		for i := range 8 {
			a := sample(hex.EncodeToString([]byte{byte(i)}), t0.Add(time.Duration(i)*time.Second),
				detect.SeverityLow, detect.SourceFalco)
			if err := s.Add(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		for _, limit := range []int{0, 100} {
			got, err := s.List(ctx, detect.Query{Limit: limit})
			if err != nil || len(got) != 5 {
				t.Fatalf("List(limit %d) = %d alerts, %v; want the cap of 5", limit, len(got), err)
			}
		}
	})
}

// TestHostileValuesAreData stores and looks up values that would change a
// statement built by concatenation.
func TestHostileValuesAreData(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		hostile := `x'); DROP TABLE users; --`
		a := sample(hostile, t0, detect.SeverityHigh, `falco' OR '1'='1`)
		a.Rule = `"; DELETE FROM alerts; --`

		if err := s.Add(ctx, a); err != nil {
			t.Fatal(err)
		}

		got, err := s.Get(ctx, hostile)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, got, a)

		if _, err := s.Get(ctx, `' OR '1'='1`); !errors.Is(err, detect.ErrAlertNotFound) {
			t.Fatalf("Get of an injection string: %v, want not found", err)
		}

		if got, err := s.List(ctx, detect.Query{Source: `x' OR '1'='1`}); err != nil ||
			len(got) != 0 {
			t.Fatalf("List by an injection string = %d alerts, %v", len(got), err)
		}
	})
}

func TestGetUnknownAndEmptyID(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()

		if _, err := s.Get(ctx, "nope"); !errors.Is(err, detect.ErrAlertNotFound) {
			t.Fatalf("Get of an unknown ID: %v", err)
		}

		if err := s.Add(ctx, sample("", t0, detect.SeverityLow, "x")); err != nil {
			t.Fatal(err)
		}

		got, err := s.List(ctx, detect.Query{})
		if err != nil || len(got) != 1 || got[0].ID == "" {
			t.Fatalf("an alert without an ID: %+v, %v; want it stored with a new ID", got, err)
		}
	})
}

func TestPrune(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()

		for i, id := range []string{"a", "b", "c"} {
			a := sample(id, t0.Add(time.Duration(i)*24*time.Hour), detect.SeverityLow, "x")
			if err := s.Add(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		n, err := s.Prune(ctx, t0.Add(36*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want 2", n, err)
		}

		if got, _ := s.List(ctx, detect.Query{}); !reflect.DeepEqual(idsOf(got), []string{"c"}) {
			t.Fatalf("after Prune: %v", idsOf(got))
		}
	})
}

// TestResponderLiftsFromTheTable runs the response lifecycle on the table:
// the Responder stores the alert with its outcomes, and a lift finds it
// there, withdraws the quarantine and stores the lifted outcome.
func TestResponderLiftsFromTheTable(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		list := revoke.NewList(revoke.Config{})
		w := "spiffe://example.org/web"

		r, err := detect.NewResponder(detect.ResponderConfig{Revocations: list, Alerts: s})
		if err != nil {
			t.Fatal(err)
		}

		a := sample("f1", time.Now(), detect.SeverityLow, detect.SourceFalco)
		a.Outcomes = nil
		if _, err := r.Handle(ctx, a); err != nil {
			t.Fatal(err)
		}

		if _, ok := list.Revoked(revoke.Workload, w); !ok {
			t.Fatal("the workload was not quarantined")
		}

		if _, err := r.Lift(ctx, "f1", audit.Actor{User: "admin-1"}); err != nil {
			t.Fatal(err)
		}

		if _, ok := list.Revoked(revoke.Workload, w); ok {
			t.Fatal("the quarantine outlived the lift")
		}

		stored, err := s.Get(ctx, "f1")
		if err != nil || len(stored.Outcomes) == 0 || stored.Outcomes[0].String() != "quarantine:lifted" {
			t.Fatalf("stored outcomes %+v, %v", stored.Outcomes, err)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	db := testenv.SQLBackends[0].Open(t)

	for name, cfg := range map[string]sqlstore.Config{
		"no db":      {Dialect: sqlstore.SQLite},
		"no dialect": {DB: db},
		"bad table":  {DB: db, Dialect: sqlstore.SQLite, Table: "alerts; DROP TABLE x"},
	} {
		if _, err := sqlstore.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func idsOf(alerts []detect.Alert) []string {
	var ids []string
	for _, a := range alerts {
		ids = append(ids, a.ID)
	}

	return ids
}

// assertSame compares alerts after a trip through JSON, where times keep
// their instant but not their location.
func assertSame(t *testing.T, got, want detect.Alert) {
	t.Helper()

	if !got.Time.Equal(want.Time) {
		t.Fatalf("time %v, want %v", got.Time, want.Time)
	}

	got.Time, want.Time = time.Time{}, time.Time{}
	for i := range got.Outcomes {
		if i < len(want.Outcomes) && got.Outcomes[i].Until.Equal(want.Outcomes[i].Until) &&
			got.Outcomes[i].Lifted.Equal(want.Outcomes[i].Lifted) {
			got.Outcomes[i].Until, got.Outcomes[i].Lifted = want.Outcomes[i].Until,
				want.Outcomes[i].Lifted
		}
	}

	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}
