package public

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
)

// The browser session: the web UI never sees a token. The access token and
// the refresh token live in httpOnly, Secure, SameSite=Strict cookies; a
// double-submit CSRF token (a readable cookie echoed in a header) and an
// Origin check guard every state-changing request.
const (
	// SessionCookie holds the access token; the middleware reads it when a
	// request has no Authorization header.
	SessionCookie = "__Host-fin-session"

	// RefreshCookie holds the refresh token.
	RefreshCookie = "__Host-fin-refresh"

	// CSRFCookie holds the CSRF token, readable by the page.
	CSRFCookie = "__Host-csrf"

	// CSRFHeader must repeat CSRFCookie on state-changing requests.
	CSRFHeader = "X-CSRF-Token"

	// BrowserPrefix is the path prefix of the browser's API.
	BrowserPrefix = "/api"
)

// refreshMargin is how long before its expiry an access token in a cookie is
// replaced.
const refreshMargin = 30 * time.Second

// ProfileFunc fetches the signed-in user's profile with an access token.
type ProfileFunc func(c echo.Context, accessToken string) (domain.User, error)

// SessionInfo is the browser's view of its session.
type SessionInfo struct {
	User      *domain.User `json:"user"`
	CSRFToken string       `json:"csrf_token,omitempty"`
}

// BrowserHandlers returns the handlers of the browser session routes under
// BrowserPrefix, by "METHOD path".
func (s *Service) BrowserHandlers() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"GET " + BrowserPrefix + "/session":           s.session,
		"POST " + BrowserPrefix + "/session":          s.limited(s.browserSignIn),
		"DELETE " + BrowserPrefix + "/session":        s.browserSignOut,
		"POST " + BrowserPrefix + "/session/step-up":  s.limited(s.browserStepUp),
		"POST " + BrowserPrefix + "/v1/auth/register": s.limited(s.register),
	}
}

func (s *Service) session(c echo.Context) error {
	at := s.token(c, SessionCookie)
	if at == "" || s.cfg.Profile == nil {
		return c.JSON(http.StatusOK, SessionInfo{CSRFToken: ensureCSRF(c)})
	}

	u, err := s.cfg.Profile(c, at)
	if err != nil {
		clearCookies(c)
		return c.JSON(http.StatusOK, SessionInfo{CSRFToken: ensureCSRF(c)})
	}

	return c.JSON(http.StatusOK, SessionInfo{User: &u, CSRFToken: ensureCSRF(c)})
}

// token returns the token sealed in the named cookie, or "".
func (s *Service) token(c echo.Context, name string) string {
	ck, err := c.Cookie(name)
	if err != nil || ck.Value == "" {
		return ""
	}

	tok, err := s.cfg.Sealer.Open(name, ck.Value)
	if err != nil {
		return ""
	}

	return tok
}

// ensureCSRF sets a CSRF cookie when the request has none, so that the
// sign-in form has one, and returns the token.
func ensureCSRF(c echo.Context) string {
	if v := csrfOf(c); v != "" {
		return v
	}

	v := newCSRF()
	c.SetCookie(cookie(CSRFCookie, v, BackendSessionTTL, false))

	return v
}

func newCSRF() string {
	var b [32]byte
	_, _ = rand.Read(b[:])

	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Service) browserSignIn(c echo.Context) error {
	var in backend.Login
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	si, at, err := s.exchange(c, "/internal/v1/auth/login", in)
	if err != nil {
		return err
	}

	csrf := s.setCookies(c, at, si.RefreshToken, time.Duration(si.RefreshTTL)*time.Second)
	c.Response().Header().Set("Cache-Control", "no-store")

	return c.JSON(http.StatusOK, SessionInfo{User: &si.User, CSRFToken: csrf})
}

func (s *Service) browserStepUp(c echo.Context) error {
	var in backend.StepUp
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	_, at, err := s.exchange(c, "/internal/v1/auth/step-up", in)
	if err != nil {
		return err
	}

	c.SetCookie(cookie(SessionCookie, s.cfg.Sealer.Seal(SessionCookie, at), BackendSessionTTL,
		true))

	return c.NoContent(http.StatusNoContent)
}

func (s *Service) browserSignOut(c echo.Context) error {
	if _, _, _, err := s.call(c, "/internal/v1/auth/logout", nil); err != nil {
		return err
	}

	clearCookies(c)

	return c.NoContent(http.StatusNoContent)
}

// BackendSessionTTL is how long session cookies live: the backend's session
// lifetime.
const BackendSessionTTL = backend.SessionTTL

// exchange posts in to a sign-in route of the backend and issues an access
// token for the session it answers with.
func (s *Service) exchange(c echo.Context, path string, in any) (backend.SignIn, string, error) {
	var si backend.SignIn

	status, body, hdr, err := s.call(c, path, in)
	if err != nil {
		return si, "", err
	}

	if status != http.StatusOK {
		return si, "", relayed(status, body, hdr)
	}

	if err := json.Unmarshal(body, &si); err != nil {
		return si, "", fmt.Errorf("public: backend answer: %w", err)
	}

	at, err := s.issue(c, si)

	return si, at, err
}

// relayed turns a backend refusal into the same problem for the browser.
func relayed(status int, body []byte, hdr http.Header) error {
	e := httpx.Fail(status, "upstream", http.StatusText(status))
	if err := json.Unmarshal(body, &e.Problem); err != nil || e.Status != status {
		e = httpx.Fail(status, "upstream", http.StatusText(status))
	}

	e.Header = http.Header{}
	for _, k := range []string{"WWW-Authenticate", "Retry-After"} {
		if v := hdr.Get(k); v != "" {
			e.Header.Set(k, v)
		}
	}

	return e
}

// Browser is the echo middleware of the browser's API: CSRF and Origin
// checks, and the silent renewal of the access token from the refresh
// cookie. It must run before the ztkit middleware.
func (s *Service) Browser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !strings.HasPrefix(r.URL.Path, BrowserPrefix+"/") {
			return next(c)
		}

		if err := s.checkCSRF(c); err != nil {
			return err
		}

		if err := s.renew(c); err != nil {
			return err
		}

		if at := s.token(c, SessionCookie); at != "" {
			// The services behind public take the token as a bearer token.
			r.Header.Set("Authorization", "Bearer "+at)
		}

		return next(c)
	}
}

// checkCSRF refuses a state-changing request from another origin or without
// the double-submit token. Sign-in and sign-up have no token yet; the Origin
// check alone guards them.
func (s *Service) checkCSRF(c echo.Context) error {
	r := c.Request()

	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}

	bad := httpx.Fail(http.StatusForbidden, "csrf", "cross-site request refused")

	switch o := r.Header.Get("Origin"); {
	case o != "" && o != s.cfg.Origin:
		return bad
	case o == "" && r.Header.Get("Sec-Fetch-Site") != "same-origin":
		return bad
	}

	p := r.URL.Path
	if r.Method == http.MethodPost &&
		(p == BrowserPrefix+"/session" || p == BrowserPrefix+"/v1/auth/register") {
		return nil
	}

	want := csrfOf(c)
	got := r.Header.Get(CSRFHeader)

	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return bad
	}

	return nil
}

// renew replaces an access token cookie that is missing or about to expire,
// using the refresh cookie; the request then carries the new token.
func (s *Service) renew(c echo.Context) error {
	rt := s.token(c, RefreshCookie)
	if rt == "" {
		return nil
	}

	if at := s.token(c, SessionCookie); at != "" && !expiring(at) {
		return nil
	}

	si, at, err := s.renewals.do(rt, func() (backend.SignIn, string, error) {
		return s.exchange(c, "/internal/v1/auth/refresh", backend.Refresh{RefreshToken: rt})
	})
	if err != nil {
		clearCookies(c)
		return httpx.Fail(http.StatusUnauthorized, "unauthenticated", "the session has ended")
	}

	s.setCookies(c, at, si.RefreshToken, time.Duration(si.RefreshTTL)*time.Second)
	replaceCookie(c.Request(), SessionCookie, s.cfg.Sealer.Seal(SessionCookie, at))

	return nil
}

// expiring reports whether a JWT's "exp" is past or near. It reads the claim
// without checking the signature, only to decide when to renew; the token is
// verified where it is used.
func expiring(jwt string) bool {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return true
	}

	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return true
	}

	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return true
	}

	return time.Until(time.Unix(claims.Exp, 0)) < refreshMargin
}

// setCookies seals the tokens into the session and refresh cookies and
// rotates the CSRF token at sign-in.
func (s *Service) setCookies(c echo.Context, at, rt string, ttl time.Duration) string {
	if ttl <= 0 {
		ttl = BackendSessionTTL
	}

	csrf := csrfOf(c)
	if c.Request().URL.Path == BrowserPrefix+"/session" || csrf == "" {
		csrf = newCSRF()
	}

	c.SetCookie(cookie(SessionCookie, s.cfg.Sealer.Seal(SessionCookie, at), ttl, true))
	c.SetCookie(cookie(RefreshCookie, s.cfg.Sealer.Seal(RefreshCookie, rt), ttl, true))
	c.SetCookie(cookie(CSRFCookie, csrf, ttl, false))

	return csrf
}

func clearCookies(c echo.Context) {
	for _, name := range []string{SessionCookie, RefreshCookie, CSRFCookie} {
		ck := cookie(name, "", 0, name != CSRFCookie)
		ck.MaxAge = -1
		c.SetCookie(ck)
	}
}

func cookie(name, value string, ttl time.Duration, httpOnly bool) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(ttl.Seconds()),
		Secure: true, HttpOnly: httpOnly, SameSite: http.SameSiteStrictMode}
}

func csrfOf(c echo.Context) string {
	if ck, err := c.Cookie(CSRFCookie); err == nil {
		return ck.Value
	}

	return ""
}

// replaceCookie sets the value of one cookie in the request's Cookie header.
func replaceCookie(r *http.Request, name, value string) {
	cookies := r.Cookies()
	r.Header.Del("Cookie")

	found := false
	for _, ck := range cookies {
		if ck.Name == name {
			ck.Value, found = value, true
		}

		r.AddCookie(ck)
	}

	if !found {
		r.AddCookie(&http.Cookie{Name: name, Value: value})
	}
}
