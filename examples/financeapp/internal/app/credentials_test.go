package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// TestPasswordChange changes a password: a stale sign-in must step up, the
// current password must be right and the new one acceptable; then the
// other session is cut off at once, this one stays, and only the new
// password signs in.
func TestPasswordChange(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	other := e.login(a.email, a.pw)
	newPW := "a brand new long password"

	stale := mustIssueSession(t, e, a.id, a.sid, time.Now().Add(-time.Hour))
	r := e.do("PUT", "/v1/me/password", stale, map[string]string{
		"current_password": a.pw, "new_password": newPW})
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Fatalf("stale sign-in: %d %v", r.status, r.header)
	}

	for name, body := range map[string]map[string]string{
		"wrong current": {"current_password": "not the password", "new_password": newPW},
		"short new":     {"current_password": a.pw, "new_password": "short"},
		"same":          {"current_password": a.pw, "new_password": a.pw},
	} {
		if r := e.do("PUT", "/v1/me/password", a.token, body); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}

	r = e.do("PUT", "/v1/me/password", a.token, map[string]string{
		"current_password": a.pw, "new_password": newPW})
	if r.status != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.status, r.body)
	}

	if r := e.do("GET", "/v1/me", other.token, nil); r.status != http.StatusUnauthorized {
		t.Fatalf("the other session after the change: %d", r.status)
	}

	if r := e.do("GET", "/v1/me", a.token, nil); r.status != http.StatusOK {
		t.Fatalf("this session after the change: %d", r.status)
	}

	r = e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email, "password": a.pw})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d", r.status)
	}

	e.login(a.email, newPW)
}

// TestTOTPDisable turns TOTP off: a sign-in without a TOTP code must step
// up with one; then a password alone signs in again.
func TestTOTPDisable(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	enableTOTP(t, e, a)

	pwdOnly := mustIssueSession(t, e, a.id, store.NewID(), time.Now())
	r := e.do("DELETE", "/v1/me/totp", pwdOnly, nil)
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `acr_values="otp"`) {
		t.Fatalf("disable without otp: %d %v", r.status, r.header)
	}

	withOTP, err := e.p.IssueForTest(context.Background(), a.id, store.NewID(), time.Now(),
		"pwd", "otp")
	if err != nil {
		t.Fatal(err)
	}

	if r := e.do("DELETE", "/v1/me/totp", withOTP, nil); r.status != http.StatusNoContent {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}

	e.login(a.email, a.pw)

	if r := e.do("DELETE", "/v1/me/totp", withOTP, nil); r.status != http.StatusConflict {
		t.Fatalf("disable twice: %d %s", r.status, r.body)
	}
}

// enableTOTP sets TOTP up for a and confirms it; it returns the secret and
// the code that confirmed it (now spent).
func enableTOTP(t *testing.T, e *env, a account) (secret, code string) {
	t.Helper()

	r := e.do("POST", "/v1/me/totp", a.token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("setup: %d %s", r.status, r.body)
	}

	var setup struct {
		Secret string `json:"secret"`
	}
	r.decode(t, &setup)

	code, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	r = e.do("POST", "/v1/me/totp/confirm", a.token, map[string]string{"code": code})
	if r.status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}

	return setup.Secret, code
}
