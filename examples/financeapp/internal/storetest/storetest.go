// Package storetest gives tests and benchmarks of the finance platform a
// PostgreSQL database of their own: a fresh schema on the server that
// testenv finds, dropped when the test ends.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/ztkit/ztkit/internal/testenv"
)

// PostgresSchema creates a schema for t and returns a DSN whose search_path
// is that schema. Outside CI it skips t when PostgreSQL is unreachable.
func PostgresSchema(t testing.TB) string {
	t.Helper()

	dsn := testenv.PostgresDSN(t)

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])

	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		testenv.Unavailable(t, "PostgreSQL", err.Error())
	}

	t.Cleanup(func() {
		if db, err := sql.Open("pgx", dsn); err == nil {
			_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	return u.String()
}
