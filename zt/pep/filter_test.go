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
func filterEngine(t testing.TB, dialect, table string) *pep.Engine {
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
			if s.id != "" && strings.Contains(f.Where, s.id) {
				t.Errorf("the subject's id is in the SQL text: %s", f.Where)
			}
			if got, err := queryAfter(db, table, f); err != nil || !slices.Equal(got, want) {
				t.Errorf("after a parameter of the query's own: rows %q, %v; want %q", got, err, want)
			}
			if f.None && len(want) > 0 || s.id == "" && !f.None {
				t.Errorf("None = %v with %d rows", f.None, len(want))
			}
		})
	}
}

func query(db *sql.DB, table string, f pep.SQLFilter) ([]string, error) {
	return ids(db, fmt.Sprintf("SELECT id FROM %s %s", table, f.Where), f.Args...)
}

// queryAfter runs the filter's Condition behind a parameter of the query's
// own, which matches every row, so that the filter's parameters are numbered
// from the second.
func queryAfter(db *sql.DB, table string, f pep.SQLFilter) ([]string, error) {
	cond, args := f.Condition("no such category")
	placeholder := "$1"
	if strings.Contains(fmt.Sprintf("%T", db.Driver()), "sqlite") {
		placeholder = "?"
	}

	return ids(db, fmt.Sprintf("SELECT id FROM %s WHERE category <> %s AND (%s)",
		table, placeholder, cond), args...)
}

// ids runs a query of ids and returns them sorted.
func ids(db *sql.DB, q string, args ...any) ([]string, error) {
	rs, err := db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()

	var out []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	slices.Sort(out)

	return out, rs.Err()
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
	for name, rule := range map[string]string{
		"function of a column": `include if lower(input.transactions.owner) == input.subject.id`,
		"prefix match":         `include if startswith(input.transactions.owner, input.subject.id)`,
		"negation":             `include if not input.transactions.owner == input.subject.id`,
		"column with column":   `include if input.transactions.owner == input.transactions.category`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": false}\n\n"+rule+"\n")
			e := newEngine(t, pep.Config{Dir: dir, Filters: map[string]pep.FilterSpec{"t": {
				Query: "ztkit/authz/include", Table: "transactions", Dialect: pep.DialectPostgreSQL,
			}}})

			_, err := e.Filter(context.Background(), "t", &pep.Input{Principal: user("alice")})
			if !errors.Is(err, pep.ErrFilterUnsupported) {
				t.Fatalf("err = %v, want ErrFilterUnsupported", err)
			}
		})
	}
}

func TestFilterUnknownNameOrDialect(t *testing.T) {
	e := filterEngine(t, pep.DialectSQLite, "tx")
	if _, err := e.Filter(context.Background(), "none", &pep.Input{}); !errors.Is(err, pep.ErrUnknownEntrypoint) {
		t.Fatalf("unknown filter: %v", err)
	}

	_, err := pep.New(context.Background(), pep.Config{
		Policies: examplePolicy(t),
		Filters: map[string]pep.FilterSpec{"t": {
			Query: filterRule, Table: "transactions", Dialect: "oracle",
		}},
	})
	if err == nil || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("New with an unknown dialect: %v", err)
	}
}

// TestFilterConditionNumbersAfterPriorArgs checks the placeholders of each
// dialect when the query has parameters of its own.
func TestFilterConditionNumbersAfterPriorArgs(t *testing.T) {
	for dialect, want := range map[string]string{
		pep.DialectPostgreSQL: "(tx.owner = $3 OR (tx.owner = $4 AND tx.category <> $5)",
		pep.DialectSQLite:     "(tx.owner = ? OR (tx.owner = ? AND tx.category <> ?)",
		pep.DialectMySQL:      "(tx.owner = ? OR (tx.owner = ? AND tx.category <> ?)",
		pep.DialectSQLServer:  "(tx.owner = @p3 OR (tx.owner = @p4 AND tx.category <> @p5)",
	} {
		e := filterEngine(t, dialect, "tx")
		f, err := e.Filter(context.Background(), "transactions", &pep.Input{
			Principal: user("bob", "auditor"),
			Request:   zt.Request{Action: "transactions.list", Resource: zt.Resource{Type: "transaction"}},
		})
		if err != nil {
			t.Fatal(err)
		}

		cond, args := f.Condition("a", "b")
		if !strings.HasPrefix(cond, want) {
			t.Errorf("%s: condition %q, want it to start %q", dialect, cond, want)
		}
		if want := append([]any{"a", "b"}, f.Args...); !slices.Equal(args, want) ||
			!slices.Contains(args, any("r9'; DROP TABLE t;--")) {
			t.Errorf("%s: args %q, want %q", dialect, args, want)
		}
	}

	if cond, args := (pep.SQLFilter{None: true}).Condition(1); cond != "1 = 0" || len(args) != 1 {
		t.Errorf("no row: %q %v", cond, args)
	}
	if cond, _ := (pep.SQLFilter{}).Condition(); cond != "1 = 1" {
		t.Errorf("every row: %q", cond)
	}
}

func randSuffix() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
