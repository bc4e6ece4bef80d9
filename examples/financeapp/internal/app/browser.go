package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/web"
)

// browserPublic are the browser routes served without a decision: the
// session document (signed out when there is no session), sign-in, sign-up
// and the UI's files. Sign-out and step-up check the session themselves
// through the backend, which decides them.
var browserPublic = []string{
	"GET /api/session", "POST /api/session", "DELETE /api/session",
	"POST /api/session/step-up", "POST /api/v1/auth/register", "GET /*", "HEAD /*",
}

// browserRoutes are the API routes again under /api, for the web UI, which
// authenticates with the session cookie.
func browserRoutes(served []routes.Route) []routes.Route {
	var out []routes.Route

	for _, r := range served {
		if r.Service != routes.Public {
			r.Path = public.BrowserPrefix + r.Path
			out = append(out, r)
		}
	}

	return out
}

// browser registers the web UI's routes on the public service: the session
// routes, the API under /api (forwarded like the bearer API), and the UI.
func (p *Platform) browser(e *echo.Echo, u *unit, handlers map[string]echo.HandlerFunc,
	served []routes.Route) {
	for key, h := range u.public.BrowserHandlers() {
		method, path, _ := strings.Cut(key, " ")
		e.Add(method, path, h)
	}

	for _, r := range browserRoutes(served) {
		next := handlers[r.Action]
		e.Add(r.Method, r.EchoPath(), func(c echo.Context) error {
			req := c.Request()
			req.URL.Path = strings.TrimPrefix(req.URL.Path, public.BrowserPrefix)
			req.URL.RawPath = ""

			return next(c)
		})
	}

	ui := apiNotFound(echo.WrapHandler(web.Handler(web.Files())))
	e.GET("/*", ui)
	e.HEAD("/*", ui)
}

// apiPrefixes are the path prefixes of the API: an unknown path under them
// names no page of the UI and must not get the history fallback.
var apiPrefixes = []string{"v1", "api", "internal"}

// apiNotFound answers an unknown API path with a 404 problem document, so
// that only the UI's own paths reach the history fallback (index.html).
func apiNotFound(ui echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
		first, _, _ := strings.Cut(name, "/")

		if slices.Contains(apiPrefixes, first) {
			return httpx.Fail(http.StatusNotFound, "not_found", "no such route")
		}

		return ui(c)
	}
}

// securityHeaders adds the UI's security headers (CSP and the rest) and HSTS
// to every answer of the public service.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	headers := web.SecurityHeaders()

	return func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range headers {
			h[k] = v
		}

		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

		// API answers carry a user's data, profile or CSRF token: no browser
		// or proxy cache may keep them after sign-out.
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/v1/") ||
			strings.HasPrefix(p, "/api/") {
			h.Set("Cache-Control", "no-store")
		}

		return next(c)
	}
}

// profile returns a ProfileFunc that asks the user service, over mTLS,
// for the profile of the token's user.
func (p *Platform) profile(client *http.Client) public.ProfileFunc {
	base := p.serviceURL(routes.User)

	return func(c echo.Context, accessToken string) (domain.User, error) {
		var u domain.User

		req, err := http.NewRequestWithContext(c.Request().Context(), http.MethodGet,
			base.JoinPath("/v1/me").String(), nil)
		if err != nil {
			return u, fmt.Errorf("app: profile: %w", err)
		}

		req.Header.Set("Authorization", "Bearer "+accessToken)

		resp, err := client.Do(req)
		if err != nil {
			return u, fmt.Errorf("app: profile: %w", err)
		}
		defer resp.Body.Close()

		if resp.StatusCode != http.StatusOK {
			return u, fmt.Errorf("app: profile: user service answered %d", resp.StatusCode)
		}

		if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
			return u, fmt.Errorf("app: profile: %w", err)
		}

		return u, nil
	}
}
