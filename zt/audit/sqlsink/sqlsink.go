// Package sqlsink writes audit events to a SQL database through database/sql,
// with batched multi-row inserts. The caller brings the *sql.DB (and so the
// driver); schemas are provided for PostgreSQL and SQLite.
//
//	sink, err := sqlsink.New(sqlsink.Config{DB: db, Dialect: sqlsink.Postgres})
//	if err != nil {
//		return err
//	}
//	if err := sink.Migrate(ctx); err != nil {
//		return err
//	}
//	// use sink as an audit.Sink in an audit.Pipeline
package sqlsink

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ztkit/ztkit/internal/sqldialect"
	"github.com/ztkit/ztkit/zt/audit"
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
const DefaultTable = "audit_events"

// DefaultRowsPerInsert bounds the rows of one INSERT statement.
const DefaultRowsPerInsert = 200

// Config configures a Sink.
type Config struct {
	// DB is the database. Required.
	DB *sql.DB

	// Dialect is Postgres or SQLite. Required.
	Dialect Dialect

	// Table is the table name, optionally schema-qualified ("audit.events").
	// Empty means DefaultTable.
	Table string

	// RowsPerInsert bounds the rows of one INSERT; a batch is written in one
	// transaction of as many statements as needed. Zero means
	// DefaultRowsPerInsert.
	RowsPerInsert int
}

// Sink writes audit events to a table. It implements audit.Sink.
type Sink struct {
	db      *sql.DB
	dialect Dialect
	table   string
	rows    int
}

// New validates cfg and returns a Sink.
func New(cfg Config) (*Sink, error) {
	table, err := sqldialect.Table(cfg.DB, cfg.Dialect, cfg.Table, DefaultTable)
	if err != nil {
		return nil, fmt.Errorf("sqlsink: %w", err)
	}

	if cfg.RowsPerInsert <= 0 {
		cfg.RowsPerInsert = DefaultRowsPerInsert
	}

	return &Sink{db: cfg.DB, dialect: cfg.Dialect, table: table, rows: cfg.RowsPerInsert}, nil
}

// columns of the table, in insert order.
var columns = []string{
	"id", "time", "kind", "actor_user", "actor_session", "actor_device",
	"actor_workload", "action", "resource_type", "resource_id", "resource_owner",
	"decision", "reasons", "policy_revision", "decision_id", "request_id",
	"trace_id", "source_addr", "user_agent", "method", "route", "status",
	"attributes",
}

// Schema returns the statements that create the table and its indexes.
func (s *Sink) Schema() []string {
	ts, js := s.dialect.Types()

	index := strings.ReplaceAll(s.table, ".", "_")

	return []string{
		`CREATE TABLE IF NOT EXISTS ` + s.table + ` (
	id TEXT PRIMARY KEY,
	time ` + ts + ` NOT NULL,
	kind TEXT NOT NULL,
	actor_user TEXT NOT NULL,
	actor_session TEXT NOT NULL,
	actor_device TEXT NOT NULL,
	actor_workload TEXT NOT NULL,
	action TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	resource_owner TEXT NOT NULL,
	decision TEXT NOT NULL,
	reasons ` + js + ` NOT NULL,
	policy_revision TEXT NOT NULL,
	decision_id TEXT NOT NULL,
	request_id TEXT NOT NULL,
	trace_id TEXT NOT NULL,
	source_addr TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	method TEXT NOT NULL,
	route TEXT NOT NULL,
	status INTEGER NOT NULL,
	attributes ` + js + ` NOT NULL
)`,
		`CREATE INDEX IF NOT EXISTS ` + index + `_time ON ` + s.table + ` (time)`,
		`CREATE INDEX IF NOT EXISTS ` + index + `_user ON ` + s.table + ` (actor_user, time)`,
		`CREATE INDEX IF NOT EXISTS ` + index + `_request ON ` + s.table + ` (request_id)`,
	}
}

// Migrate creates the table and its indexes if they do not exist.
func (s *Sink) Migrate(ctx context.Context) error {
	if err := sqldialect.Migrate(ctx, s.db, s.Schema()); err != nil {
		return fmt.Errorf("sqlsink: %w", err)
	}

	return nil
}

// Write inserts batch in one transaction. Events whose ID is already stored
// are skipped, so a retried batch is not stored twice; events without an ID
// are refused.
func (s *Sink) Write(ctx context.Context, batch []audit.Event) error {
	for i := range batch {
		if batch[i].ID == "" {
			return fmt.Errorf("sqlsink: event %d has no ID", i)
		}
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlsink: begin: %w", err)
	}

	for start := 0; start < len(batch); start += s.rows {
		chunk := batch[start:min(start+s.rows, len(batch))]

		if _, err := tx.ExecContext(ctx, s.insert(len(chunk)), s.args(chunk)...); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("sqlsink: insert: %w", err)
		}
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlsink: commit: %w", err)
	}

	return nil
}

// insert returns a multi-row INSERT for n rows.
func (s *Sink) insert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + s.table + " (" + strings.Join(columns, ", ") + ") VALUES ")

	p := 0
	for row := range n {
		if row > 0 {
			b.WriteString(", ")
		}

		b.WriteByte('(')
		for col := range columns {
			if col > 0 {
				b.WriteString(", ")
			}

			p++
			b.WriteString(s.dialect.Placeholder(p))
		}

		b.WriteByte(')')
	}

	b.WriteString(" ON CONFLICT (id) DO NOTHING")

	return b.String()
}

func (s *Sink) args(events []audit.Event) []any {
	args := make([]any, 0, len(events)*len(columns))

	for i := range events {
		e := &events[i]
		args = append(args,
			e.ID, s.dialect.Time(e.Time), e.Kind, e.Actor.User, e.Actor.Session, e.Actor.Device,
			e.Actor.Workload, e.Action, e.Resource.Type, e.Resource.ID, e.Resource.Owner,
			e.Decision, jsonText(e.Reasons, "[]"), e.PolicyRevision, e.DecisionID, e.RequestID,
			e.TraceID, e.SourceAddr, e.UserAgent, e.Method, e.Route, e.Status,
			jsonText(e.Attributes, "{}"))
	}

	return args
}

func jsonText[T any](v T, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}

	return string(b)
}

var _ audit.Sink = (*Sink)(nil)
