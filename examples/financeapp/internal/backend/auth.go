package backend

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/token"
)

// Sign-in limits.
const (
	// SessionTTL is a session's absolute lifetime; refresh tokens never
	// outlive it.
	SessionTTL = 12 * time.Hour

	// LockoutThreshold failed sign-ins within LockoutWindow lock an account
	// for the rest of the window.
	LockoutThreshold = 5
	LockoutWindow    = 15 * time.Minute
)

// Headers the public service sets on sign-in calls: the client's address and
// user agent, for the session log. The backend believes them only because
// its policy admits these routes from the public service alone.
const (
	HeaderClientAddr  = "X-Client-Addr"
	HeaderClientAgent = "X-Client-Agent"
)

// SignIn is the backend's answer to a sign-in, refresh or step-up: the facts
// the public service puts in the access token.
type SignIn struct {
	User         domain.User `json:"user"`
	SessionID    string      `json:"session_id"`
	AuthMethods  []string    `json:"auth_methods"`
	AuthTime     int64       `json:"auth_time"`
	RefreshToken string      `json:"refresh_token,omitempty"`
	RefreshTTL   int64       `json:"refresh_expires_in,omitempty"`
}

// Registration is a sign-up request.
type Registration struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
}

// Login is a sign-in request.
type Login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code,omitempty"`
}

// StepUp is a re-authentication within a session.
type StepUp struct {
	Password string `json:"password,omitempty"`
	TOTPCode string `json:"totp_code,omitempty"`
}

// Refresh is a refresh-token exchange.
type Refresh struct {
	RefreshToken string `json:"refresh_token"`
}

// checkSecrets refuses with 400 what cannot be a sign-in or a step-up: no
// password (when one is always needed) and no code, or a code that is not
// six digits.
func checkSecrets(password, code string, needPassword bool) error {
	switch {
	case password == "" && (needPassword || code == ""):
		return &domain.FieldError{Field: "password", Msg: "is required"}
	case code != "" && !totpCodePattern.MatchString(code):
		return &domain.FieldError{Field: "totp_code", Msg: "must be 6 digits"}
	}

	return nil
}

var totpCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// dummyHash equalizes the time of a sign-in for an unknown email with that of
// a wrong password, so that timing does not reveal which accounts exist.
var dummyHash, _ = password.Hash("not a password of anyone", password.Default)

func (s *Service) register(c echo.Context) error {
	var in Registration
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	email, err := domain.NormalizeEmail(in.Email)
	if err != nil {
		return err
	}

	name, err := domain.CleanText("display_name", in.DisplayName, 80)
	if err != nil || name == "" {
		return httpx.From(errors.Join(err, &domain.FieldError{Field: "display_name",
			Msg: "must be 1 to 80 characters"}))
	}

	if err := password.Check(in.Password); err != nil {
		return &httpx.Error{Problem: httpx.Problem{Type: "invalid_field", Title: "Bad Request",
			Status: http.StatusBadRequest, Detail: err.Error(), Field: "password"}}
	}

	hash, err := password.Hash(in.Password, s.cfg.Password)
	if err != nil {
		return err
	}

	// A registered email answers exactly like a new one, with the pending
	// user that would have been created (an ID that names no account), so
	// that sign-up does not tell which emails have accounts. Nothing is
	// written: the existing account is untouched.
	// TODO(signup-notice): tell the address's owner by email that someone
	// tried to sign up with it, once the platform sends email.
	u, err := s.cfg.Store.CreateUser(c.Request().Context(), email, name, hash)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}

	return s.published(c, http.StatusAccepted, u)
}

func (s *Service) login(c echo.Context) error {
	var in Login
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	ctx := c.Request().Context()
	addr, agent := clientOf(c)

	// A request that cannot be a sign-in is refused before it counts as a
	// failed one: its shape says nothing about any account.
	email, err := domain.NormalizeEmail(in.Email)
	if err != nil {
		return httpx.From(err)
	}

	if err := checkSecrets(in.Password, in.TOTPCode, true); err != nil {
		return err
	}

	if err := s.checkLockout(ctx, email); err != nil {
		s.auditLogin(c, s.accountOf(ctx, email), "", err)
		return err
	}

	u, methods, err := s.checkLogin(c, email, in)
	if err != nil {
		_ = s.cfg.Store.RecordLoginAttempt(ctx, email, false, addr)
		if u.ID != "" {
			_ = s.cfg.Store.LogSessionEvent(ctx, u.ID, "", domain.EventLoginFailed, addr, agent)
		}

		s.auditLogin(c, cmp.Or(u.ID, unknownAccount(email)), "", err)

		return err
	}

	if err := s.cfg.Store.RecordLoginAttempt(ctx, email, true, addr); err != nil {
		return err
	}

	return s.startSession(c, u, methods)
}

// checkLockout refuses with 429 while email has LockoutThreshold failed
// sign-ins or step-ups within LockoutWindow.
func (s *Service) checkLockout(ctx context.Context, email string) error {
	failed, err := s.cfg.Store.FailedLogins(ctx, email, s.cfg.Now().Add(-LockoutWindow))
	if err != nil {
		return err
	}

	if failed < LockoutThreshold {
		return nil
	}

	p := httpx.Fail(http.StatusTooManyRequests, "locked",
		"too many failed sign-ins; try again later")
	p.Header = http.Header{"Retry-After": {strconv.Itoa(int(LockoutWindow.Seconds()))}}

	return p
}

// accountOf returns the user ID of email, or the unknown-account key.
func (s *Service) accountOf(ctx context.Context, email string) string {
	u, err := s.cfg.Store.UserByEmail(ctx, email)
	if err != nil {
		return unknownAccount(email)
	}

	return u.ID
}

// unknownAccount keys sign-in attempts for an email that no account has, so
// that guessing at made-up accounts is detected as well.
func unknownAccount(email string) string { return "unknown:" + email }

// auditLogin records one sign-in attempt for the detectors: the account
// tried (a user ID, or the unknown-account key), the client's address, the
// new session on success and the refusal's problem type on failure.
func (s *Service) auditLogin(c echo.Context, account, session string, failure error) {
	if s.cfg.Audit == nil {
		return
	}

	addr, agent := clientOf(c)
	e := audit.Event{ID: store.NewID(), Time: s.cfg.Now().UTC(), Kind: "login",
		Action: "auth.login", Actor: audit.Actor{User: account, Session: session},
		Resource: audit.Resource{Type: "user", ID: account}, Decision: "allow",
		Reasons: []string{"login.ok"}, SourceAddr: addr, UserAgent: agent}

	if failure != nil {
		e.Decision, e.Reasons = "deny", []string{"login." + httpx.From(failure).Type}
	}

	// The trail's own sinks decide what a full queue means; a sign-in does
	// not fail because a detector could not take its event.
	_ = s.cfg.Audit.Emit(c.Request().Context(), e)
}

// checkLogin verifies the password, the TOTP code and the account state.
// For an account with TOTP, the factors are checked together and before
// the account state, so that no answer tells a right password from a wrong
// one: without a code, both answer totp_required; with a code, a wrong
// password and a wrong code both answer invalid_credentials.
func (s *Service) checkLogin(c echo.Context, email string,
	in Login) (domain.User, []string, error) {
	ctx := c.Request().Context()
	bad := httpx.Fail(http.StatusUnauthorized, "invalid_credentials",
		"wrong email or password")

	u, err := s.cfg.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = password.Verify(in.Password, dummyHash, s.cfg.Password)
		return u, nil, bad
	}

	if err != nil {
		return domain.User{}, nil, err
	}

	creds, err := s.cfg.Store.Credentials(ctx, u.ID)
	if err != nil {
		return domain.User{}, nil, err
	}

	rehash, err := password.Verify(in.Password, creds.PasswordHash, s.cfg.Password)
	passwordOK := err == nil

	methods := []string{"pwd"}
	if creds.TOTPEnabled {
		if err := s.checkSecondFactor(ctx, u.ID, in.TOTPCode, creds.TOTPSecret,
			passwordOK); err != nil {
			return u, nil, err
		}

		methods = append(methods, "otp")
	}

	if !passwordOK {
		return u, nil, bad
	}

	if u.Status != domain.StatusActive {
		return u, nil, httpx.Fail(http.StatusForbidden, "account_"+string(u.Status),
			"the account is "+string(u.Status)+"; an admin must approve it first")
	}

	if rehash {
		if h, err := password.Hash(in.Password, s.cfg.Password); err == nil {
			_ = s.cfg.Store.SetPasswordHash(ctx, u.ID, h)
		}
	}

	return u, methods, nil
}

// checkSecondFactor checks the TOTP code of an account that has one,
// together with the password's result: without a code the answer is
// totp_required whether the password was right or not, and with a code a
// wrong password or a wrong code both answer invalid_credentials. The code is tried (and
// its time step spent) only after a right password.
func (s *Service) checkSecondFactor(ctx context.Context, uid, code, secret string,
	passwordOK bool) error {
	if code == "" {
		return httpx.Fail(http.StatusUnauthorized, "totp_required",
			"a valid TOTP code is required")
	}

	if !passwordOK || !s.checkTOTP(ctx, uid, code, secret) {
		return httpx.Fail(http.StatusUnauthorized, "invalid_credentials",
			"wrong email, password or code")
	}

	return nil
}

// totpStep returns the time step (30 s) whose code matches, allowing one
// step of clock skew either way, or false.
func totpStep(code, secret string, now time.Time) (int64, bool) {
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew*30) * time.Second)

		want, err := totp.GenerateCodeCustom(secret, at, opts)
		if err == nil && len(code) == len(want) &&
			subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1 {
			return at.Unix() / 30, true
		}
	}

	return 0, false
}

// checkTOTP accepts a TOTP code of uid once: a code already used (or one of
// an earlier step) is refused, so that an observed code cannot be replayed.
func (s *Service) checkTOTP(ctx context.Context, uid, code, secret string) bool {
	step, ok := totpStep(code, secret, s.cfg.Now())

	return ok && s.cfg.Store.UseTOTPStep(ctx, uid, step) == nil
}

func (s *Service) startSession(c echo.Context, u domain.User, methods []string) error {
	ctx := c.Request().Context()
	addr, agent := clientOf(c)
	now := s.cfg.Now().UTC().Truncate(time.Millisecond)

	sess := domain.Session{ID: store.NewID(), UserID: u.ID, AuthMethods: methods,
		Address: addr, UserAgent: agent, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}

	// The token first: should the session fail to be written, its record
	// names a session that never existed, and refresh refuses it.
	raw, err := s.refreshes.Issue(ctx, token.RefreshGrant{Subject: u.ID,
		ClientID: refreshClient, SessionID: sess.ID})
	if err != nil {
		return err
	}

	if err := s.cfg.Store.CreateSession(ctx, sess); err != nil {
		return err
	}

	s.auditLogin(c, u.ID, sess.ID, nil)

	return c.JSON(http.StatusOK, SignIn{User: u, SessionID: sess.ID, AuthMethods: methods,
		AuthTime: now.Unix(), RefreshToken: raw, RefreshTTL: int64(SessionTTL.Seconds())})
}

// refresh rotates a refresh token (zt/token's RefreshTokens over the
// database): a token presented twice revokes its family and its session
// (see familyRevoker); a token of a revoked or expired session, or of a
// user no longer active, is refused.
func (s *Service) refresh(c echo.Context) error {
	var in Refresh
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	ctx := c.Request().Context()
	addr, agent := clientOf(c)
	bad := httpx.Fail(http.StatusUnauthorized, "invalid_grant", "the refresh token is not valid")

	raw, grant, err := s.refreshes.Rotate(ctx, in.RefreshToken)
	if errors.Is(err, zt.ErrUnavailable) {
		return err
	} else if err != nil {
		return bad
	}

	sess, err := s.cfg.Store.Session(ctx, grant.SessionID)
	if err != nil || sess.RevokedAt != nil || !s.cfg.Now().Before(sess.ExpiresAt) {
		return bad
	}

	u, err := s.cfg.Store.User(ctx, sess.UserID)
	if err != nil || u.Status != domain.StatusActive {
		return bad
	}

	if err := s.cfg.Store.LogSessionEvent(ctx, u.ID, sess.ID, domain.EventRefresh,
		addr, agent); err != nil {
		return err
	}

	return c.JSON(http.StatusOK, SignIn{User: u, SessionID: sess.ID,
		AuthMethods: sess.AuthMethods, AuthTime: sess.CreatedAt.Unix(), RefreshToken: raw,
		RefreshTTL: int64(sess.ExpiresAt.Sub(s.cfg.Now()).Seconds())})
}

func (s *Service) stepUp(c echo.Context) error {
	uid, sid, err := caller(c)
	if err != nil {
		return err
	}

	var in StepUp
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	if err := checkSecrets(in.Password, in.TOTPCode, false); err != nil {
		return err
	}

	ctx := c.Request().Context()
	addr, agent := clientOf(c)

	u, err := s.cfg.Store.User(ctx, uid)
	if err != nil {
		return err
	}

	// A step-up checks the password like a sign-in: its failures count
	// toward the same lockout, or a stolen token would guess freely.
	if err := s.checkLockout(ctx, u.Email); err != nil {
		return err
	}

	methods, err := s.checkStepUp(c, uid, in)
	if err != nil {
		_ = s.cfg.Store.RecordLoginAttempt(ctx, u.Email, false, addr)
		_ = s.cfg.Store.LogSessionEvent(ctx, uid, sid, domain.EventLoginFailed, addr, agent)
		s.auditLogin(c, uid, sid, err)

		return err
	}

	if err := s.cfg.Store.LogSessionEvent(ctx, uid, sid, "step_up", addr, agent); err != nil {
		return err
	}

	return c.JSON(http.StatusOK, SignIn{User: u, SessionID: sid, AuthMethods: methods,
		AuthTime: s.cfg.Now().Unix()})
}

func (s *Service) checkStepUp(c echo.Context, uid string, in StepUp) ([]string, error) {
	creds, err := s.cfg.Store.Credentials(c.Request().Context(), uid)
	if err != nil {
		return nil, err
	}

	if creds.TOTPEnabled {
		if !s.checkTOTP(c.Request().Context(), uid, in.TOTPCode, creds.TOTPSecret) {
			return nil, httpx.Fail(http.StatusUnauthorized, "totp_required",
				"a valid TOTP code is required")
		}

		return []string{"pwd", "otp"}, nil
	}

	if _, err := password.Verify(in.Password, creds.PasswordHash, s.cfg.Password); err != nil {
		return nil, httpx.Fail(http.StatusUnauthorized, "invalid_credentials", "wrong password")
	}

	return []string{"pwd"}, nil
}

func (s *Service) logout(c echo.Context) error {
	uid, sid, err := caller(c)
	if err != nil {
		return err
	}

	addr, agent := clientOf(c)
	ctx := c.Request().Context()

	ids, err := s.cfg.Store.RevokeSessions(ctx, uid, sid, domain.EventLogout, addr, agent)
	if err != nil {
		return err
	}

	if err := s.cfg.Revoke(ctx, append(ids, sid)); err != nil {
		return err
	}

	return c.NoContent(http.StatusNoContent)
}

func clientOf(c echo.Context) (addr, agent string) {
	h := c.Request().Header

	addr, _ = domain.CleanText("address", h.Get(HeaderClientAddr), 64)
	agent, _ = domain.CleanText("user_agent", h.Get(HeaderClientAgent), 256)

	return addr, agent
}
