// Package testenv finds the real services that integration tests talk to
// (PostgreSQL, Redis, NATS) and decides what a test does when one is missing: outside
// CI it skips and says how to enable it; in CI (CI=true) it fails.
package testenv

import (
	"crypto/rand"
	"database/sql"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/internal/sqldialect"
)

// Defaults used when the variables are unset; they match the services that
// scripts/services.sh starts on loopback.
const (
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedis    = "127.0.0.1:6379"
	DefaultNATS     = "nats://127.0.0.1:4222"
)

// InCI reports whether the tests run in CI, where a missing service is a failure.
func InCI() bool {
	return os.Getenv("CI") == "true"
}

// Unavailable skips t outside CI and fails it in CI, saying what is missing and how
// to provide it.
func Unavailable(t testing.TB, what, hint string) {
	t.Helper()

	if InCI() {
		t.Fatalf("%s is unavailable in CI: %s", what, hint)
	}

	t.Skipf("%s is unavailable: %s", what, hint)
}

// PostgresDSN returns the DSN of a reachable PostgreSQL server, from
// ZTKIT_TEST_POSTGRES or the loopback default.
func PostgresDSN(t testing.TB) string {
	t.Helper()

	dsn := env("ZTKIT_TEST_POSTGRES", DefaultPostgres)

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("testenv: ZTKIT_TEST_POSTGRES is not a URL: %v", err)
	}

	requireTCP(t, "PostgreSQL", u.Host, "set ZTKIT_TEST_POSTGRES or run scripts/services.sh")

	return dsn
}

// SQLBackend is a database that the SQL packages' tests run against.
type SQLBackend struct {
	// Name names the backend in subtest names: "sqlite" or "postgres".
	Name string

	// Dialect is the backend's SQL dialect.
	Dialect sqldialect.Dialect

	// Open returns a database closed when the test ends: a fresh SQLite file,
	// or the PostgreSQL of PostgresDSN (skipping or failing as it does).
	Open func(t testing.TB) *sql.DB
}

// SQLBackends lists SQLite (driver "sqlite") and PostgreSQL (driver "pgx");
// the test imports the drivers.
var SQLBackends = []SQLBackend{
	{Name: "sqlite", Dialect: sqldialect.SQLite, Open: func(t testing.TB) *sql.DB {
		return openDB(t, "sqlite", filepath.Join(t.TempDir(), "test.db"))
	}},
	{Name: "postgres", Dialect: sqldialect.Postgres, Open: func(t testing.TB) *sql.DB {
		return openDB(t, "pgx", PostgresDSN(t))
	}},
}

// TempTable returns a fresh table name that starts with prefix, and drops
// the table from db when the test ends.
func TempTable(t testing.TB, db *sql.DB, prefix string) string {
	name := prefix + "_" + strings.ToLower(rand.Text()[:12])

	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE IF EXISTS " + name) })

	return name
}

func openDB(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()

	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("testenv: open %s: %v", driver, err)
	}

	t.Cleanup(func() { _ = db.Close() })

	return db
}

// RedisAddr returns the address of a reachable Redis server, from
// ZTKIT_TEST_REDIS or the loopback default.
func RedisAddr(t testing.TB) string {
	t.Helper()

	addr := env("ZTKIT_TEST_REDIS", DefaultRedis)
	requireTCP(t, "Redis", addr, "set ZTKIT_TEST_REDIS or run scripts/services.sh")

	return addr
}

// NATSURL returns the URL of a reachable NATS server, from ZTKIT_TEST_NATS or the
// loopback default.
func NATSURL(t testing.TB) string {
	t.Helper()

	raw := env("ZTKIT_TEST_NATS", DefaultNATS)

	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("testenv: ZTKIT_TEST_NATS is not a URL: %v", err)
	}

	requireTCP(t, "NATS", u.Host, "set ZTKIT_TEST_NATS or run scripts/services.sh")

	return raw
}

func requireTCP(t testing.TB, what, addr, hint string) {
	t.Helper()

	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		Unavailable(t, what+" at "+addr, hint)
		return
	}

	_ = conn.Close()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}

	return def
}
