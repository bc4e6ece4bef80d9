package app_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// TestTOTPLoginIsNoPasswordOracle: for an account with TOTP, the sign-in
// answers must not tell a right password from a wrong one, or the second
// factor is skipped for password guessing. Without a code, both answer the
// same totp_required; with a code, a wrong password and a wrong code answer
// the same invalid_credentials; every one of them counts toward the lockout.
func TestTOTPLoginIsNoPasswordOracle(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	secret, _ := enableTOTP(t, e, a)

	login := func(pw, code string) answer {
		body := map[string]string{"email": a.email, "password": pw}
		if code != "" {
			body["totp_code"] = code
		}

		return e.do("POST", "/v1/auth/login", "", body)
	}

	sameAnswer(t, "without a code", login(a.pw, ""), login("not the password", ""),
		"totp_required")

	next, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}

	sameAnswer(t, "with a code", login(a.pw, "000000"), login("not the password", next),
		"invalid_credentials")

	// Four failures so far, one more locks the account: even the right
	// password and code are then refused.
	if r := login("not the password", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("fifth failure: %d %s", r.status, r.body)
	}

	if r := login(a.pw, next); r.status != http.StatusTooManyRequests {
		t.Fatalf("after five failures: %d %s, want 429", r.status, r.body)
	}
}

// sameAnswer fails unless right and wrong are the same 401 with the problem
// type want.
func sameAnswer(t *testing.T, what string, right, wrong answer, want string) {
	t.Helper()

	if right.status != http.StatusUnauthorized || right.status != wrong.status ||
		!bytes.Equal(right.body, wrong.body) {
		t.Fatalf("%s: right password %d %s, wrong password %d %s: want the same answer",
			what, right.status, right.body, wrong.status, wrong.body)
	}

	if !bytes.Contains(right.body, []byte(`"`+want+`"`)) {
		t.Fatalf("%s: %s, want problem type %s", what, right.body, want)
	}
}
