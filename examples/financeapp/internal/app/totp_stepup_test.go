package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// TestTOTPEnrolmentNeedsStepUp: enrolling a second factor changes how the
// account signs in, so it needs a fresh sign-in like sharing does (ASVS
// 3.7.1). Otherwise an access token stolen hours after sign-in binds the
// account to the thief's authenticator, locking its owner out.
func TestTOTPEnrolmentNeedsStepUp(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	stale := mustIssueSession(t, e, a.id, a.sid, time.Now().Add(-time.Hour))

	r := e.do("POST", "/v1/me/totp", stale, nil)
	if r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Errorf("TOTP setup with an hour-old sign-in: %d %s, want 401 with a step-up challenge",
			r.status, r.body)
	}
}
