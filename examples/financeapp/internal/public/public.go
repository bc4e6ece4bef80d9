// Package public is the finance platform's edge: sign-up, sign-in with
// optional TOTP, refresh-token rotation, step-up, sign-out and the JWKS of
// the access tokens it issues. Passwords, sessions and refresh tokens live
// in the backend, reached over mTLS; this service holds only the signing key.
package public

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
	"github.com/ztkit/ztkit/examples/financeapp/internal/forward"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/zt/token"
)

// ClientID is the OAuth client_id of the tokens this service issues.
const ClientID = "financeapp"

// Config configures a Service.
type Config struct {
	// Backend is the backend's base URL. Required.
	Backend *url.URL

	// Client reaches the backend over mTLS and authorizes only its SPIFFE
	// ID. Required.
	Client *http.Client

	// Issuer signs access tokens. Required.
	Issuer *token.Issuer

	// Limiter rate limits sign-in routes per client address; nil means
	// NewLimiter(DefaultRate, DefaultBurst).
	Limiter *Limiter

	// Profile fetches the signed-in user for the browser session; nil
	// answers every session query as signed out.
	Profile ProfileFunc

	// Sealer seals tokens into the browser's cookies; nil means a new one
	// with a random key.
	Sealer *Sealer

	// Origin is the public origin ("https://host:port") that browser
	// requests must come from. Required.
	Origin string
}

// Sealer returns the sealer of the browser's cookies.
func (s *Service) Sealer() *Sealer { return s.cfg.Sealer }

// Service serves the public service's own routes.
type Service struct {
	cfg      Config
	renewals renewals
}

// New returns a Service after checking cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Backend == nil || cfg.Client == nil || cfg.Issuer == nil {
		return nil, fmt.Errorf("public: Backend, Client and Issuer are required")
	}

	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(DefaultRate, DefaultBurst)
	}

	if cfg.Origin == "" {
		return nil, fmt.Errorf("public: Origin is required")
	}

	if cfg.Sealer == nil {
		sealer, err := NewSealer()
		if err != nil {
			return nil, err
		}

		cfg.Sealer = sealer
	}

	return &Service{cfg: cfg}, nil
}

// Tokens is the answer to a sign-in, refresh or step-up.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	SessionID    string `json:"session_id"`
}

// Handlers returns the handler of every route public serves itself, by
// action.
func (s *Service) Handlers() map[string]echo.HandlerFunc {
	jwks := s.cfg.Issuer.JWKSHandler()

	return map[string]echo.HandlerFunc{
		"health": func(c echo.Context) error {
			return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
		},
		"jwks":          echo.WrapHandler(jwks),
		"auth.register": s.limited(s.register),
		"auth.login":    s.limited(s.login),
		"auth.refresh":  s.limited(s.refresh),
		"auth.step_up":  s.limited(s.stepUp),
		"auth.logout":   s.logout,
	}
}

func (s *Service) limited(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host, _, _ := net.SplitHostPort(c.Request().RemoteAddr)
		if !s.cfg.Limiter.Allow(host) {
			p := httpx.Fail(http.StatusTooManyRequests, "rate_limited",
				"too many attempts from this address; retry later")
			p.Header = http.Header{"Retry-After": {"60"}}

			return p
		}

		return next(c)
	}
}

func (s *Service) register(c echo.Context) error {
	var in backend.Registration
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	return s.relay(c, "/internal/v1/auth/register", in)
}

func (s *Service) login(c echo.Context) error {
	var in backend.Login
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	return s.signIn(c, "/internal/v1/auth/login", in, true)
}

func (s *Service) refresh(c echo.Context) error {
	var in backend.Refresh
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	return s.signIn(c, "/internal/v1/auth/refresh", in, true)
}

func (s *Service) stepUp(c echo.Context) error {
	var in backend.StepUp
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	return s.signIn(c, "/internal/v1/auth/step-up", in, false)
}

func (s *Service) logout(c echo.Context) error {
	status, body, hdr, err := s.call(c, "/internal/v1/auth/logout", nil)
	if err != nil {
		return err
	}

	return passOn(c, status, body, hdr)
}

// signIn asks the backend to check the credentials, then issues the access
// token for the session it answers with.
func (s *Service) signIn(c echo.Context, path string, in any, withRefresh bool) error {
	status, body, hdr, err := s.call(c, path, in)
	if err != nil {
		return err
	}

	if status != http.StatusOK {
		return passOn(c, status, body, hdr)
	}

	var si backend.SignIn
	if err := json.Unmarshal(body, &si); err != nil {
		return fmt.Errorf("public: backend answer: %w", err)
	}

	at, err := s.issue(c, si)
	if err != nil {
		return err
	}

	out := Tokens{AccessToken: at, TokenType: "Bearer", SessionID: si.SessionID,
		ExpiresIn: int64(s.cfg.Issuer.TTL().Seconds())}
	if withRefresh {
		out.RefreshToken = si.RefreshToken
	}

	c.Response().Header().Set("Cache-Control", "no-store")

	return c.JSON(http.StatusOK, out)
}

// issue signs the access token of a sign-in.
func (s *Service) issue(c echo.Context, si backend.SignIn) (string, error) {
	at, err := s.cfg.Issuer.Issue(c.Request().Context(), token.AccessToken{
		Subject: si.User.ID, ClientID: ClientID, SessionID: si.SessionID,
		AuthTime: time.Unix(si.AuthTime, 0), AuthMethods: si.AuthMethods,
	})
	if err != nil {
		return "", fmt.Errorf("public: issue: %w", err)
	}

	return at, nil
}

// relay sends in to the backend and passes its answer on.
func (s *Service) relay(c echo.Context, path string, in any) error {
	status, body, hdr, err := s.call(c, path, in)
	if err != nil {
		return err
	}

	return passOn(c, status, body, hdr)
}

// call posts in (or nothing) to the backend with the caller's bearer token
// and the client's address and user agent.
func (s *Service) call(c echo.Context, path string, in any) (int, []byte, http.Header, error) {
	var body io.Reader = http.NoBody

	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("public: %w", err)
		}

		body = bytes.NewReader(b)
	}

	req, err := s.request(c.Request().Context(), path, body)
	if err != nil {
		return 0, nil, nil, err
	}

	r := c.Request()
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	req.Header.Set(forward.HeaderClientAddr, host)
	req.Header.Set(forward.HeaderClientAgent, r.UserAgent())

	if auth := r.Header.Get("Authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}

	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, nil, httpx.Fail(http.StatusBadGateway, "upstream_unavailable",
			"the backend did not answer")
	}
	defer resp.Body.Close()

	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))

	return resp.StatusCode, b, resp.Header, err
}

func (s *Service) request(ctx context.Context, path string, body io.Reader) (*http.Request, error) {
	u := s.cfg.Backend.JoinPath(path)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("public: %w", err)
	}

	req.Header.Set("Content-Type", "application/json")

	return req, nil
}

// passOn answers with the backend's status, body and the headers a client
// needs.
func passOn(c echo.Context, status int, body []byte, hdr http.Header) error {
	for _, k := range []string{"Content-Type", "WWW-Authenticate", "Retry-After"} {
		if v := hdr.Get(k); v != "" {
			c.Response().Header().Set(k, v)
		}
	}

	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)

	return err
}
