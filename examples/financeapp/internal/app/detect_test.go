package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/app"
	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/examples/financeapp/internal/storetest"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/sqlstore"
)

// TestDetection signs in wrongly five times to one account: the sign-in
// service's audit events reach the Monitor, whose brute-force alert is
// listed by GET /v1/admin/alerts, and whose response raises the account's
// risk so that the policies ask its stale sessions for a step-up.
//
// It runs on both databases: the alert is kept, and lifted, in the
// platform's own.
func TestDetection(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { detection(t, app.Config{}) })
	t.Run("postgres", func(t *testing.T) {
		detection(t, app.Config{Dialect: store.Postgres, DSN: storetest.PostgresSchema(t)})
	})
}

func detection(t *testing.T, cfg app.Config) {
	cfg.Detect = detect.MonitorConfig{DenialBurst: detect.DefaultDenialBurst,
		Enumeration: detect.DefaultEnumeration}
	e := startWith(t, cfg)

	// Sign the admin in first: a later sign-in from the brute-forcing
	// address would count as a compromised one (and be revoked).
	admin := e.login(e.admin.Email, e.admin.Password)
	admin.id = adminID(t, e)
	a := e.signUp("alice", domain.RoleUser)
	stale := mustIssue(t, e, a.id, time.Now().Add(-time.Hour))

	if r := e.do("GET", "/v1/transactions", stale, nil); r.status != http.StatusOK {
		t.Fatalf("before: %d %s", r.status, r.body)
	}

	for range backend.LockoutThreshold {
		r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email,
			"password": "not the password"})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failed sign-in: %d %s", r.status, r.body)
		}
	}

	alert := waitForAlert(t, e, admin.token, "brute_force.account", a.id)
	if alert.Severity != "high" || !strings.Contains(alert.Response, "raise_risk:taken") ||
		alert.Summary == "" {
		t.Fatalf("alert: %+v", alert)
	}

	if r := e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email,
		"password": a.pw}); r.status != http.StatusTooManyRequests {
		t.Fatalf("sign-in to the locked account: %d %s", r.status, r.body)
	}

	nearbyAdmin(t, e)

	r := e.do("GET", "/v1/transactions", stale, nil)
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Fatalf("stale session at high risk: %d %v %s", r.status, r.header, r.body)
	}

	if r := e.do("GET", "/v1/transactions", a.token, nil); r.status != http.StatusOK {
		t.Fatalf("fresh session at high risk: %d %s", r.status, r.body)
	}

	if r := e.do("GET", "/v1/admin/alerts", a.token, nil); r.status != http.StatusForbidden {
		t.Fatalf("alerts as a user: %d", r.status)
	}

	liftAlert(t, e, admin, a, alert.ID, stale)
	alertIsInTheDatabase(t, e, alert.ID)
	signInAfterTheLift(t, e, admin, a)
}

// nearbyAdmin signs the admin in from the address that brute-forced another
// account: the sign-in is reported (brute_force.nearby), not revoked, so
// an attacker cannot lock out whoever shares the address.
func nearbyAdmin(t *testing.T, e *env) {
	t.Helper()

	again := e.login(e.admin.Email, e.admin.Password)
	waitForAlert(t, e, again.token, "brute_force.nearby", adminID(t, e))

	// The alert is listed once its response is done: had it revoked the
	// session, this would fail.
	if r := e.do("GET", "/v1/admin/alerts", again.token, nil); r.status != http.StatusOK {
		t.Fatalf("the admin after a nearby sign-in: %d %s", r.status, r.body)
	}
}

// signInAfterTheLift: the lift unlocked a's account and made the detectors
// forget the episode, so a signs in and keeps the session.
func signInAfterTheLift(t *testing.T, e *env, admin, a account) {
	t.Helper()

	fresh := e.login(a.email, a.pw)

	// A brute force on another account, raised after a's sign-in went
	// through the Monitor: once its alert is listed, any alert about a's
	// sign-in would be too.
	for range backend.LockoutThreshold {
		e.do("POST", "/v1/auth/login", "", map[string]string{"email": "sentinel@example.test",
			"password": "not the password"})
	}
	waitForAlert(t, e, admin.token, "brute_force.account", "unknown:sentinel@example.test")

	r := e.do("GET", "/v1/admin/alerts?limit=50", admin.token, nil)
	if strings.Contains(string(r.body), `"rule":"brute_force.success"`) {
		t.Fatalf("a's sign-in after the lift was taken for the attacker's: %s", r.body)
	}

	if r := e.do("GET", "/v1/transactions", fresh.token, nil); r.status != http.StatusOK {
		t.Fatalf("a's session after the lift: %d %s", r.status, r.body)
	}
}

// alertIsInTheDatabase reads the alert back through a store of its own on
// the platform's database, as a restarted backend would, lifted outcome
// and all.
func alertIsInTheDatabase(t *testing.T, e *env, id string) {
	t.Helper()

	dialect := sqlstore.SQLite
	if e.p.Store().Dialect() == store.Postgres {
		dialect = sqlstore.Postgres
	}

	s, err := sqlstore.New(sqlstore.Config{DB: e.p.Store().DB(), Dialect: dialect,
		Table: store.AlertTable})
	if err != nil {
		t.Fatal(err)
	}

	a, err := s.Get(context.Background(), id)
	if err != nil || !strings.Contains(fmt.Sprint(a.Outcomes), "raise_risk:lifted") {
		t.Fatalf("the alert in the database: %+v, %v", a.Outcomes, err)
	}
}

// liftAlert has the admin lift the alert about a: its risk raise is
// withdrawn, so that a's stale session works again without a step-up, and
// the lift is in the audit trail with the admin as actor.
func liftAlert(t *testing.T, e *env, admin, a account, id, stale string) {
	t.Helper()

	path := "/v1/admin/alerts/" + id + "/lift"
	if r := e.do("POST", path, a.token, nil); r.status != http.StatusForbidden {
		t.Fatalf("lift as a user: %d %s", r.status, r.body)
	}

	for bad, want := range map[string]int{
		"/v1/admin/alerts/x'%20OR%201=1--/lift":                  http.StatusBadRequest,
		"/v1/admin/alerts/" + strings.Repeat("a", 129) + "/lift": http.StatusBadRequest,
		"/v1/admin/alerts/0123456789abcdef/lift":                 http.StatusNotFound,
	} {
		if r := e.do("POST", bad, admin.token, nil); r.status != want {
			t.Fatalf("POST %s: %d %s, want %d", bad, r.status, r.body, want)
		}
	}

	r := e.do("POST", path, admin.token, nil)

	var lifted backend.Alert
	r.decode(t, &lifted)

	if r.status != http.StatusOK || !strings.Contains(lifted.Response, "raise_risk:lifted") {
		t.Fatalf("lift: %d %s", r.status, r.body)
	}

	if r := e.do("GET", "/v1/transactions", stale, nil); r.status != http.StatusOK {
		t.Fatalf("stale session after the lift: %d %s", r.status, r.body)
	}

	if r := e.do("POST", path, admin.token, nil); r.status != http.StatusOK {
		t.Fatalf("second lift: %d %s", r.status, r.body)
	}

	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r := e.do("GET", "/v1/admin/audit?action=detect.lift.raise_risk", admin.token, nil)
		if r.status == http.StatusOK && strings.Contains(string(r.body), admin.id) {
			return
		}

		if time.Now().After(deadline) {
			t.Fatalf("no audit event for the lift by %s: %d %s", admin.id, r.status, r.body)
		}
	}
}

// waitForAlert polls the alerts route until the Monitor, which runs on its
// own goroutine, has raised rule about subject.
func waitForAlert(t *testing.T, e *env, token, rule, subject string) backend.Alert {
	t.Helper()

	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		r := e.do("GET", "/v1/admin/alerts?min_severity=medium&limit=50", token, nil)
		if r.status != http.StatusOK {
			t.Fatalf("alerts: %d %s", r.status, r.body)
		}

		var out struct {
			Alerts []backend.Alert `json:"alerts"`
		}
		r.decode(t, &out)

		for _, a := range out.Alerts {
			if a.Rule == rule && a.Subject == subject {
				return a
			}
		}

		time.Sleep(50 * time.Millisecond)
	}

	t.Fatalf("no %s alert about %s", rule, subject)

	return backend.Alert{}
}

func TestAlertQueryIsChecked(t *testing.T) {
	e := start(t)
	admin := e.login(e.admin.Email, e.admin.Password)

	for _, q := range []string{"min_severity=info", "min_severity=severe",
		"since=yesterday", "since=2026-01-01", "limit=0", "limit=501", "limit=x"} {
		if r := e.do("GET", "/v1/admin/alerts?"+q, admin.token, nil); r.status != 400 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}

	r := e.do("GET", "/v1/admin/alerts?min_severity=critical&since=2026-01-01T00:00:00Z",
		admin.token, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"alerts":[]`) {
		t.Fatalf("empty list: %d %s", r.status, r.body)
	}
}

// TestResponsesSurviveARestart: the risk raised against a brute-forced
// account is in force again after the platform restarts on the same data
// folder, restored from the alerts in its database.
func TestResponsesSurviveARestart(t *testing.T) {
	cfg := app.Config{DataDir: t.TempDir()}
	e := startWith(t, cfg)
	admin := e.login(e.admin.Email, e.admin.Password)
	a := e.signUp("alice", domain.RoleUser)

	for range backend.LockoutThreshold {
		e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email,
			"password": "not the password"})
	}
	waitForAlert(t, e, admin.token, "brute_force.account", a.id)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if err := e.p.Close(ctx); err != nil {
		t.Fatal(err)
	}

	again := startWith(t, cfg)
	risk, _ := again.p.Risk().Risk(ctx, &zt.Principal{User: &zt.User{ID: a.id}})
	if risk.Score < 60 {
		t.Fatalf("alice's risk after the restart: %+v, want the raise of 60 back", risk)
	}
}
