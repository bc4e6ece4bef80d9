package pep_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/open-policy-agent/opa/v1/ast"
	_ "modernc.org/sqlite"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

const filterRule = "ztkit/filter/transactions/include"

type txRow struct {
	id, owner, category string
	amount              int
}

// hostileRows mixes quotes, backslashes, SQL, unicode and NUL into values.
var hostileRows = []txRow{
	{"r1", "alice", "food", 500},
	{"r2", "alice", "private", 90000},
	{"r3", "o'brien", "food", 1200},
	{"r4", "o'brien", "private", 300},
	{"r5", `back\slash`, "transport", 700},
	{"r6", "zoë 😀", "food", 20000},
	{"r7", "x' OR '1'='1", "food", 100},
	{"r8", "carol", "rent", 100},
	{"r9'; DROP TABLE t;--", "carol", "transport", 50},
	{`r10\'`, `it\'s`, "food", 60},
	{"r11", "nul\x00byte", "food", 100},
	{"r12", "E'\\x41", "food", 100},
}

var filterSubjects = []struct {
	name  string
	id    string
	roles []string
}{
	{"owner", "alice", []string{"user"}},
	{"admin", "root", []string{"admin"}},
	{"grantee", "bob", []string{"auditor"}},
	{"support", "sam", []string{"support"}},
	{"quote injection", "x' OR '1'='1", []string{"user"}},
	{"backslash", `back\slash`, []string{"user"}},
	{"escaped quote", `it\'s`, []string{"user"}},
	{"unicode", "zoë 😀", []string{"user"}},
	{"nul", "nul\x00byte", []string{"user"}},
	{"string prefix", "E'\\x41", []string{"user"}},
	{"nobody", "nobody", []string{"user"}},
	{"anonymous", "", nil},
}

// filterEngine loads the example policy with the filter prepared for a
// dialect and table, and grants that name hostile owners and ids.
func filterEngine(t *testing.T, dialect, table string) *pep.Engine {
	t.Helper()
	e := newEngine(t, pep.Config{
		Entrypoints: []string{pep.DefaultEntrypoint, filterRule},
		Filters: map[string]pep.FilterSpec{"transactions": {
			Query: filterRule, Table: "transactions", Dialect: dialect,
			Mappings: map[string]any{"transactions": map[string]any{"$self": table}},
		}},
	})
	_, err := e.Update(context.Background(), func(tx *pep.Tx) error {
		for _, g := range []pep.Grant{
			{Owner: "o'brien"},
			{Owner: `back\slash`},
			{ResourceID: "r9'; DROP TABLE t;--"},
			{ResourceID: `r10\'`},
		} {
			g.Subject, g.Action, g.ResourceType = "bob", "transactions.read", "transaction"
			tx.AddGrant(g)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// oracle evaluates the filter rule on each row, with the row known: the
// rows a correct WHERE clause returns.
func oracle(t *testing.T, e *pep.Engine, id string, roles []string, rows []txRow) []string {
	t.Helper()
	var ids []string
	for _, r := range rows {
		doc := map[string]any{"transactions": map[string]any{
			"id": r.id, "owner": r.owner, "category": r.category, "amount_minor": r.amount,
		}}
		if id != "" {
			doc["subject"] = map[string]any{"id": id, "roles": roles}
		}
		in, err := ast.InterfaceToValue(doc)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.Eval(context.Background(), filterRule, in)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allow {
			ids = append(ids, r.id)
		}
	}
	slices.Sort(ids)
	return ids
}

func createRows(t *testing.T, db *sql.DB, table, placeholder string, rows []txRow) {
	t.Helper()
	ddl := fmt.Sprintf(`CREATE TABLE %s (id TEXT PRIMARY KEY, owner TEXT NOT NULL,
		category TEXT NOT NULL, amount_minor INTEGER NOT NULL)`, table)
	if _, err := db.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	ins := fmt.Sprintf("INSERT INTO %s VALUES (%s)", table, placeholder)
	for _, r := range rows {
		if _, err := db.Exec(ins, r.id, r.owner, r.category, r.amount); err != nil {
			t.Fatalf("insert %q: %v", r.id, err)
		}
	}
}

// checkFilters compares, for every subject, the rows the filter's WHERE
// clause returns from a real database with the oracle's.
func checkFilters(t *testing.T, db *sql.DB, e *pep.Engine, table string, rows []txRow) {
	ctx := context.Background()
	for _, s := range filterSubjects {
		t.Run(s.name, func(t *testing.T) {
			var p *zt.Principal
			if s.id != "" {
				p = user(s.id, s.roles...)
			}
			in := &pep.Input{
				Principal: p,
				Request:   zt.Request{Action: "transactions.list", Resource: zt.Resource{Type: "transaction"}},
			}
			f, err := e.Filter(ctx, "transactions", in)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle(t, e, s.id, s.roles, rows)
			got, err := query(db, table, f)
			if err != nil && strings.ContainsRune(s.id, 0) {
				// PostgreSQL text cannot hold NUL: refusing the query is
				// failing closed.
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Where, err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s\n got rows %q\nwant rows %q", f.Where, got, want)
			}
			if f.None && len(want) > 0 || s.id == "" && !f.None {
				t.Errorf("None = %v with %d rows", f.None, len(want))
			}
		})
	}
}

func query(db *sql.DB, table string, f pep.SQLFilter) ([]string, error) {
	rs, err := db.Query(fmt.Sprintf("SELECT id FROM %s %s ORDER BY id", table, f.Where))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, rs.Err()
}

func TestFilterSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	createRows(t, db, "tx_sqlite", "?, ?, ?, ?", hostileRows)

	e := filterEngine(t, pep.DialectSQLite, "tx_sqlite")
	checkFilters(t, db, e, "tx_sqlite", hostileRows)
}

func TestFilterPostgreSQL(t *testing.T) {
	db, err := sql.Open("pgx", testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	table := fmt.Sprintf("ztkit_pep_filter_%d", randSuffix())
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE IF EXISTS " + table) })

	// PostgreSQL text cannot hold NUL; every other hostile row goes in.
	rows := slices.DeleteFunc(slices.Clone(hostileRows), func(r txRow) bool {
		return strings.ContainsRune(r.owner, 0)
	})
	createRows(t, db, table, "$1, $2, $3, $4", rows)

	e := filterEngine(t, pep.DialectPostgreSQL, table)
	checkFilters(t, db, e, table, rows)
}

func TestFilterRefusesWhatSQLCannotSay(t *testing.T) {
	dir := t.TempDir()
	writePolicy(t, dir, `package ztkit.authz

decision := {"allow": false}

include if lower(input.transactions.owner) == input.subject.id
`)
	e := newEngine(t, pep.Config{Dir: dir, Filters: map[string]pep.FilterSpec{"t": {
		Query: "ztkit/authz/include", Table: "transactions", Dialect: pep.DialectPostgreSQL,
	}}})
	_, err := e.Filter(context.Background(), "t", &pep.Input{Principal: user("alice")})
	if !errors.Is(err, pep.ErrFilterUnsupported) {
		t.Fatalf("err = %v, want ErrFilterUnsupported", err)
	}
	if _, err := e.Filter(context.Background(), "none", &pep.Input{}); !errors.Is(err, pep.ErrUnknownEntrypoint) {
		t.Fatalf("unknown filter: %v", err)
	}
}

func randSuffix() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
