// Package sqlstore keeps security alerts in a SQL database through
// database/sql, so that they outlive a restart and every replica's admin
// console lists the same ones. The caller brings the *sql.DB (and so the
// driver); schemas are provided for PostgreSQL and SQLite.
//
//	alerts, err := sqlstore.New(sqlstore.Config{DB: db, Dialect: sqlstore.Postgres})
//	if err != nil {
//		return err
//	}
//	if err := alerts.Migrate(ctx); err != nil {
//		return err
//	}
//	// use alerts as detect.ResponderConfig.Alerts
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ztkit/ztkit/internal/sqldialect"
	"github.com/ztkit/ztkit/zt/detect"
)

// Dialect selects the SQL spoken to the database.
type Dialect = sqldialect.Dialect

const (
	// Postgres is PostgreSQL (timestamptz, jsonb, $n placeholders).
	Postgres = sqldialect.Postgres

	// SQLite is SQLite (text timestamps, JSON text, ? placeholders).
	SQLite = sqldialect.SQLite
)

// DefaultTable is the table name used when Config.Table is empty.
const DefaultTable = "detect_alerts"

// DefaultMaxList caps the alerts that one List returns when the query sets
// no limit.
const DefaultMaxList = 1000

// Config configures a Store.
type Config struct {
	// DB is the database. Required.
	DB *sql.DB

	// Dialect is Postgres or SQLite. Required.
	Dialect Dialect

	// Table is the table name, optionally schema-qualified ("security.alerts").
	// Empty means DefaultTable.
	Table string

	// MaxList caps the alerts of a List whose query sets no limit, or a
	// higher one; zero means DefaultMaxList.
	MaxList int
}

// Store is a detect.Store on a SQL table: one row per alert, keyed by its
// ID, with the alert itself as a JSON document beside the columns that
// queries filter on. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	table   string
	max     int
}

// New validates cfg and returns a Store. Call Migrate before first use.
func New(cfg Config) (*Store, error) {
	table, err := sqldialect.Table(cfg.DB, cfg.Dialect, cfg.Table, DefaultTable)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}

	if cfg.MaxList <= 0 {
		cfg.MaxList = DefaultMaxList
	}

	return &Store{db: cfg.DB, dialect: cfg.Dialect, table: table, max: cfg.MaxList}, nil
}

// Schema returns the statements that create the table and its indexes.
func (s *Store) Schema() []string {
	ts, js := s.dialect.Types()
	index := strings.ReplaceAll(s.table, ".", "_")

	return []string{
		`CREATE TABLE IF NOT EXISTS ` + s.table + ` (
	id TEXT PRIMARY KEY,
	time ` + ts + ` NOT NULL,
	severity INTEGER NOT NULL,
	source TEXT NOT NULL,
	rule TEXT NOT NULL,
	alert ` + js + ` NOT NULL
)`,
		`CREATE INDEX IF NOT EXISTS ` + index + `_time ON ` + s.table + ` (time)`,
	}
}

// Migrate creates the table and its indexes if they do not exist.
func (s *Store) Migrate(ctx context.Context) error {
	if err := sqldialect.Migrate(ctx, s.db, s.Schema()); err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}

	return nil
}

// Add records a, replacing the alert with the same ID (the Responder stores
// an alert again when an operator lifts its response). An alert without an
// ID gets a random one, since the table is keyed by ID.
func (s *Store) Add(ctx context.Context, a detect.Alert) error {
	if a.ID == "" {
		a.ID = rand.Text()
	}

	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("sqlstore: encode alert %q: %w", a.ID, err)
	}

	p := s.dialect.Placeholder
	stmt := `INSERT INTO ` + s.table + ` (id, time, severity, source, rule, alert) VALUES (` +
		strings.Join([]string{p(1), p(2), p(3), p(4), p(5), p(6)}, ", ") + `)
ON CONFLICT (id) DO UPDATE SET time = excluded.time, severity = excluded.severity,
	source = excluded.source, rule = excluded.rule, alert = excluded.alert`

	_, err = s.db.ExecContext(ctx, stmt, a.ID, s.dialect.Time(a.Time), int(a.Severity),
		a.Source, a.Rule, string(doc))
	if err != nil {
		return fmt.Errorf("sqlstore: add alert %q: %w", a.ID, err)
	}

	return nil
}

// Get returns the alert with the given ID, or an error that matches
// detect.ErrAlertNotFound.
func (s *Store) Get(ctx context.Context, id string) (detect.Alert, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT alert FROM `+s.table+` WHERE id = `+s.dialect.Placeholder(1), id)

	var doc string
	switch err := row.Scan(&doc); {
	case errors.Is(err, sql.ErrNoRows):
		return detect.Alert{}, detect.ErrAlertNotFound
	case err != nil:
		return detect.Alert{}, fmt.Errorf("sqlstore: get alert %q: %w", id, err)
	}

	return decode(doc)
}

// List returns the stored alerts that match q, newest first (by the alert's
// time, then by ID), at most q.Limit of them and never more than the
// store's MaxList.
func (s *Store) List(ctx context.Context, q detect.Query) ([]detect.Alert, error) {
	where, args := []string{"severity >= " + s.dialect.Placeholder(1)}, []any{int(q.MinSeverity)}

	if !q.Since.IsZero() {
		args = append(args, s.dialect.Time(q.Since))
		where = append(where, "time >= "+s.dialect.Placeholder(len(args)))
	}

	if q.Source != "" {
		args = append(args, q.Source)
		where = append(where, "source = "+s.dialect.Placeholder(len(args)))
	}

	limit := s.max
	if q.Limit > 0 && q.Limit < limit {
		limit = q.Limit
	}

	args = append(args, limit)
	stmt := `SELECT alert FROM ` + s.table + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY time DESC, id DESC LIMIT ` + s.dialect.Placeholder(len(args))

	rows, err := s.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list alerts: %w", err)
	}
	defer func() { _ = rows.Close() }()

	var out []detect.Alert
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("sqlstore: list alerts: %w", err)
		}

		a, err := decode(doc)
		if err != nil {
			return nil, err
		}

		out = append(out, a)
	}

	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list alerts: %w", err)
	}

	return out, nil
}

// Prune deletes the alerts raised before the given time and returns how
// many it deleted. Run it on a schedule: the table otherwise grows without
// bound.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+s.table+` WHERE time < `+
		s.dialect.Placeholder(1), s.dialect.Time(before))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: prune: %w", err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: prune: %w", err)
	}

	return n, nil
}

func decode(doc string) (detect.Alert, error) {
	var a detect.Alert
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		return detect.Alert{}, fmt.Errorf("sqlstore: decode alert: %w", err)
	}

	return a, nil
}

var _ detect.Store = (*Store)(nil)
