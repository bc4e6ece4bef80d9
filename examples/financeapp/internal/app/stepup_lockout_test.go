package app_test

import (
	"net/http"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// TestFailedStepUpsLockTheAccount: step-up checks the password (or TOTP
// code) like a sign-in, so its failures must count toward the account
// lockout. Otherwise whoever holds a stolen access or refresh token guesses
// the password through /v1/auth/step-up with no lockout at all, bounded only
// by the per-address rate limit.
func TestFailedStepUpsLockTheAccount(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	for i := 0; i < 8; i++ {
		r := e.do("POST", "/v1/auth/step-up", a.token,
			map[string]string{"password": "a wrong guess"})
		if r.status == http.StatusTooManyRequests {
			break
		}

		if r.status != http.StatusUnauthorized {
			t.Fatalf("wrong step-up %d: %d %s", i, r.status, r.body)
		}
	}

	r := e.do("POST", "/v1/auth/step-up", a.token, map[string]string{"password": a.pw})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("step-up with the right password after 8 wrong ones: %d, want 429 (locked)",
			r.status)
	}

	r = e.do("POST", "/v1/auth/login", "", map[string]string{"email": a.email, "password": a.pw})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("sign-in after 8 wrong step-ups: %d, want 429 (locked)", r.status)
	}
}
