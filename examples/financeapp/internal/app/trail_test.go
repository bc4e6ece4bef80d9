package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

// TestAuditTrailIsChained signs in wrongly once and lists the admin's
// users; after the platform stops, the hash-chained trail in the data
// folder holds both events and verifies with the public key saved next to
// it, and a changed byte is reported as tampering.
func TestAuditTrailIsChained(t *testing.T) {
	e := start(t)
	admin := e.login(e.admin.Email, e.admin.Password)

	if r := e.do("GET", "/v1/admin/users", admin.token, nil); r.status != http.StatusOK {
		t.Fatalf("users: %d %s", r.status, r.body)
	}

	e.do("POST", "/v1/auth/login", "", map[string]string{"email": e.admin.Email,
		"password": "not the password"})

	dataDir := e.p.DataDirForTest()
	if err := e.p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	assertKeyMode(t, filepath.Join(dataDir, app.AuditKeyName))

	pubPEM, err := os.ReadFile(app.AuditPublicKeyFile(dataDir))
	if err != nil {
		t.Fatal(err)
	}

	pub, err := chain.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}

	dir := app.AuditDir(dataDir, nil)
	opts := chain.Options{Keys: []ed25519.PublicKey{pub}}

	rep, err := chain.Verify(dir, opts)
	if err != nil || !rep.Closed || rep.Events == 0 {
		t.Fatalf("verify: %v %+v", err, rep)
	}

	raw := trailBytes(t, dir)
	for _, want := range []string{`"action":"admin.users.list"`, `"kind":"login"`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the trail lacks %s", want)
		}
	}

	tamper(t, dir, `"action":"admin.users.list"`, `"action":"admin.users.lisT"`)

	if _, err := chain.Verify(dir, opts); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("a changed record verified: %v", err)
	}
}

func TestAuditDirPerProcess(t *testing.T) {
	if got := app.AuditDir("d", routes.Services); got != filepath.Join("d", "audit") {
		t.Errorf("all services: %s", got)
	}

	got := app.AuditDir("d", []routes.Service{routes.User, routes.Backend})
	if got != filepath.Join("d", "audit-backend-user") {
		t.Errorf("two services: %s", got)
	}
}

func assertKeyMode(t *testing.T, path string) {
	t.Helper()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
}

func trailBytes(t *testing.T, dir string) []byte {
	t.Helper()

	files, err := chain.Files(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("trail files: %v %v", files, err)
	}

	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}

		all = append(all, b...)
	}

	return all
}

// tamper replaces the first occurrence of old in the trail's files.
func tamper(t *testing.T, dir, old, repl string) {
	t.Helper()

	files, _ := chain.Files(dir)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if i := bytes.Index(b, []byte(old)); i >= 0 {
			b = append(b[:i:i], append([]byte(repl), b[i+len(old):]...)...)
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}

			return
		}
	}

	t.Fatalf("%s is in no file", old)
}
