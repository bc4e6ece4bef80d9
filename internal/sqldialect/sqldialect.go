// Package sqldialect holds what the SDK's database/sql packages (the audit
// sink and the alert store) need to speak PostgreSQL and SQLite alike:
// placeholders, column types, time encoding and table-name checks.
package sqldialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Dialect selects the SQL spoken to the database.
type Dialect int

const (
	// Postgres is PostgreSQL (timestamptz, jsonb, $n placeholders).
	Postgres Dialect = iota + 1

	// SQLite is SQLite (text timestamps, JSON text, ? placeholders).
	SQLite
)

// Check returns an error for a Dialect that is neither Postgres nor SQLite.
func (d Dialect) Check() error {
	if d != Postgres && d != SQLite {
		return fmt.Errorf("unknown dialect %d", d)
	}

	return nil
}

// Placeholder returns the n-th (from 1) bind parameter.
func (d Dialect) Placeholder(n int) string {
	if d == SQLite {
		return "?"
	}

	return "$" + strconv.Itoa(n)
}

// Types returns the column types for a timestamp and for a JSON document.
func (d Dialect) Types() (timestamp, json string) {
	if d == SQLite {
		return "TEXT", "TEXT"
	}

	return "TIMESTAMPTZ", "JSONB"
}

// sqliteTime is a fixed-width UTC layout, so that text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000000Z"

// Time returns t as a bind parameter: itself for PostgreSQL, fixed-width
// UTC text for SQLite, so that comparisons and ORDER BY follow time.
func (d Dialect) Time(t time.Time) any {
	if d == SQLite {
		return t.UTC().Format(sqliteTime)
	}

	return t
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$`)

// CheckTable returns an error unless name is a plain, optionally
// schema-qualified identifier, safe to put into a statement as it is.
func CheckTable(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("table name %q is not a plain identifier", name)
	}

	return nil
}

// Table checks the database, dialect and table name that a SQL package was
// configured with, and returns the table to use: table, or def when it is
// empty.
func Table(db *sql.DB, d Dialect, table, def string) (string, error) {
	if db == nil {
		return "", errors.New("no database: Config.DB is required")
	}

	if err := d.Check(); err != nil {
		return "", err
	}

	if table == "" {
		table = def
	}

	return table, CheckTable(table)
}

// Migrate runs the schema statements in order; each must be idempotent
// (CREATE ... IF NOT EXISTS).
func Migrate(ctx context.Context, db *sql.DB, schema []string) error {
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}

	return nil
}
