// Package store is the finance platform's persistence: one schema, migrated with
// goose from embedded SQL (one set per dialect), on SQLite (modernc.org/sqlite,
// no cgo) or PostgreSQL (pgx/v5). Only the backend service uses it.
//
// Every change runs in one database transaction, so a failed request leaves
// nothing half-written. Times are stored as Unix milliseconds, calendar dates
// as YYYY-MM-DD text, money as integer minor units.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/ztkit/ztkit/examples/internal/seal"
)

// Errors that callers branch on.
var (
	// ErrNotFound means the row does not exist or is not the caller's.
	ErrNotFound = errors.New("store: not found")

	// ErrConflict means a uniqueness or state rule refused the change.
	ErrConflict = errors.New("store: conflict")

	// ErrBadCursor means a keyset cursor was not made by this store.
	ErrBadCursor = errors.New("store: not a cursor of this list")
)

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// Store is the database of the platform. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	sealer  *seal.Sealer
}

// SealSecrets makes the store seal the TOTP secrets it keeps with sealer
// (AES-256-GCM, each bound to its user), so that a copy of the database
// without the key gives no second factor away. The platform calls it before
// the store is used; a store without it refuses to write or read a TOTP
// secret rather than keep one in clear.
func (s *Store) SealSecrets(sealer *seal.Sealer) {
	s.sealer = sealer
}

// errNoSealer is the cause of a TOTP secret written or read by a store
// whose SealSecrets was not called.
var errNoSealer = fmt.Errorf("store: no sealer for TOTP secrets: %w", seal.ErrUnsealed)

// sealTOTP returns the database value of a user's TOTP secret.
func (s *Store) sealTOTP(userID, secret string) (string, error) {
	if s.sealer == nil {
		return "", errNoSealer
	}

	return s.sealer.Seal(totpContext(userID), secret), nil
}

// openTOTP returns the TOTP secret that sealTOTP wrote; a value that does
// not open is an error that matches seal.ErrUnsealed.
func (s *Store) openTOTP(userID, value string) (string, error) {
	if value == "" {
		return "", nil
	}

	if s.sealer == nil {
		return "", errNoSealer
	}

	secret, err := s.sealer.Open(totpContext(userID), value)
	if err != nil {
		return "", fmt.Errorf("store: TOTP secret of user %s: %w", userID, err)
	}

	return secret, nil
}

func totpContext(userID string) string {
	return "financeapp/credentials/" + userID + "/totp_secret"
}

// Open connects to the database named by dsn, migrates it to the latest schema
// and returns a Store. For SQLite, dsn is a file path or "file:...?..." URI;
// for PostgreSQL a "postgres://" URL.
func Open(ctx context.Context, dialect Dialect, dsn string) (*Store, error) {
	db, err := connect(dialect, dsn)
	if err != nil {
		return nil, err
	}

	s := &Store{db: db, dialect: dialect, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}

	return s, nil
}

func connect(dialect Dialect, dsn string) (*sql.DB, error) {
	var driver string

	switch dialect {
	case SQLite:
		driver = "sqlite"
		dsn = sqliteDSN(dsn)
	case Postgres:
		driver = "pgx"
	default:
		return nil, fmt.Errorf("store: unknown dialect %q", dialect)
	}

	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}

	if dialect == SQLite {
		// One writer at a time keeps SQLite free of SQLITE_BUSY under load.
		db.SetMaxOpenConns(1)
	}

	return db, nil
}

// sqliteDSN adds the pragmas the store relies on: foreign keys, WAL and a busy
// timeout.
func sqliteDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}

	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}

	return dsn + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(5000)&_txlock=immediate"
}

func (s *Store) migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}

	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
	}

	p, err := goose.NewProvider(gd, s.db, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}

	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}

	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// DB returns the underlying database, for benchmarks and health checks.
func (s *Store) DB() *sql.DB {
	return s.db
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect {
	return s.dialect
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}

	return nil
}

// tx runs fn in one database transaction, committing only when fn succeeds.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}

	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}

	return nil
}

// mapErr turns uniqueness and check violations into ErrConflict.
func mapErr(err error) error {
	if err == nil {
		return nil
	}

	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}

	msg := err.Error()
	for _, s := range []string{"UNIQUE constraint", "duplicate key", "SQLSTATE 23505",
		"FOREIGN KEY constraint", "SQLSTATE 23503", "CHECK constraint", "SQLSTATE 23514"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}

	return err
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])

	return hex.EncodeToString(b[:])
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}

	t := fromMS(v.Int64)

	return &t
}

// affected returns ErrNotFound when res changed no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return mapErr(err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}

	if n == 0 {
		return ErrNotFound
	}

	return nil
}
