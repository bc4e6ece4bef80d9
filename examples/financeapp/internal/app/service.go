package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
	"github.com/ztkit/ztkit/examples/financeapp/internal/forward"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/policy"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/pep"
)

// unit is one service being assembled.
type unit struct {
	name   routes.Service
	source *devca.Source
	engine *pep.Engine
	echo   *echo.Echo
	public *public.Service
}

func (p *Platform) startService(ctx context.Context, s routes.Service) error {
	src, err := p.ca.Source(ServiceID(p.td, s))
	if err != nil {
		return fmt.Errorf("svid: %w", err)
	}

	u := &unit{name: s, source: src}

	var hook pep.BeforeHook

	var be *backend.Service
	if s == routes.Backend {
		if be, err = p.backendService(u); err != nil {
			return err
		}

		hook = resourceHook(be)
	}

	if u.engine, err = p.engine(ctx, s, hook); err != nil {
		return err
	}

	if err := p.routes(ctx, u, be); err != nil {
		return err
	}

	return p.serve(u)
}

func (p *Platform) backendService(u *unit) (*backend.Service, error) {
	return backend.New(backend.Config{
		Store: p.store, PIP: p.pip, Password: p.cfg.Password,
		Revoke: p.revokeSessions, Audit: p.emit, Alerts: p.alerts,
		LiftAlert: p.responder.Lift,
		Filter: func(ctx context.Context, c echo.Context) (string, []any, bool, error) {
			return auditorFilter(ctx, u.engine, c)
		},
	})
}

// revokeSessions makes the sessions fail on their next request everywhere:
// in this process at once, in others through Redis when it is configured,
// else at their next poll of the backend.
func (p *Platform) revokeSessions(ctx context.Context, ids []string) error {
	var entries []revokeEntry
	for _, id := range ids {
		if id != "" {
			entries = append(entries, sessionEntry(id))
		}
	}

	if len(entries) == 0 {
		return nil
	}

	if p.rep != nil {
		return p.rep.Revoke(ctx, entries...)
	}

	return p.revoke.RevokeAll(entries)
}

// middlewareRoutes maps the service's echo routes to actions.
func middlewareRoutes(served []routes.Route, s routes.Service) map[string]middleware.Route {
	out := map[string]middleware.Route{}

	for _, r := range served {
		mr := middleware.Route{Action: r.Action, Resource: r.Resource,
			Entrypoint: policy.Entrypoint(s)}
		if strings.Contains(r.Path, "{id}") {
			mr.IDParam = "id"
			if mr.Resource == "" {
				mr.Resource = "user"
			}
		}

		out[r.Method+" "+r.EchoPath()] = mr
	}

	return out
}

// publicRoutes are served by public without a credential: sign-up, sign-in,
// refresh, keys and health. The backend still decides the sign-in calls
// public makes for them.
func publicRoutes(served []routes.Route) []string {
	var out []string

	for _, r := range served {
		if r.Anonymous {
			out = append(out, r.Method+" "+r.EchoPath())
		}
	}

	return out
}

// signedIn drops the anonymous routes.
func signedIn(served []routes.Route) []routes.Route {
	var out []routes.Route

	for _, r := range served {
		if !r.Anonymous {
			out = append(out, r)
		}
	}

	return out
}

func (p *Platform) routes(ctx context.Context, u *unit, be *backend.Service) error {
	served := routes.Served(u.name)

	verifier, err := p.verifier(ctx)
	if err != nil {
		return err
	}

	handlers, err := p.handlers(u, be, served)
	if err != nil {
		return err
	}

	decided := served
	mwCfg := middleware.Config{
		Verifier: verifier, Engine: u.engine,
		Revocation: p.revoke, Audit: p.emit, Realm: "financeapp", Logger: p.cfg.Logger,
		Risk: p.risk.Risk,
	}

	if u.name == routes.Public {
		mwCfg.Public = append(publicRoutes(served), browserPublic...)
		decided = append(signedIn(served), browserRoutes(served)...)
		mwCfg.Session = public.SessionVerifier(u.public.Sealer(), verifier)
		mwCfg.SessionCookie = public.SessionCookie
	}

	mwCfg.Routes = middlewareRoutes(decided, u.name)

	mw, err := middleware.New(mwCfg)
	if err != nil {
		return fmt.Errorf("middleware: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpx.ErrorHandler

	if u.name == routes.Public {
		e.Use(securityHeaders, u.public.Browser)
	}

	e.Use(mw.Echo())

	for _, r := range served {
		h, ok := handlers[r.Action]
		if !ok {
			return fmt.Errorf("no handler for %s", r.Action)
		}

		e.Add(r.Method, r.EchoPath(), h)
	}

	if u.name == routes.Public {
		p.browser(e, u, handlers, served)
	}

	u.echo = e

	return nil
}

func (p *Platform) handlers(u *unit, be *backend.Service,
	served []routes.Route) (map[string]echo.HandlerFunc, error) {
	if be != nil {
		return be.Handlers(), nil
	}

	out := map[string]echo.HandlerFunc{}

	if u.name == routes.Public {
		pub, err := p.publicService(u)
		if err != nil {
			return nil, err
		}

		u.public, p.edge = pub, pub
		out = pub.Handlers()
	}

	for _, r := range served {
		if _, ok := out[r.Action]; ok {
			continue
		}

		next := r.Service
		if u.name != routes.Public {
			next = routes.Backend
		}

		out[r.Action] = forward.To(p.serviceURL(next), p.client(u, next), u.name == routes.Public)
	}

	return out, nil
}

func (p *Platform) publicService(u *unit) (*public.Service, error) {
	cfg := public.Config{Backend: p.serviceURL(routes.Backend),
		Client: p.client(u, routes.Backend), Issuer: p.issuer,
		Profile: p.profile(p.client(u, routes.User)), Origin: p.PublicURL()}
	if p.cfg.LoginBurst > 0 {
		cfg.Limiter = public.NewLimiter(public.DefaultRate, p.cfg.LoginBurst)
	}

	return public.New(cfg)
}

func (p *Platform) serviceURL(s routes.Service) *url.URL {
	return &url.URL{Scheme: "https", Host: p.Addr(s)}
}

// client returns an mTLS client for u that talks only to service to.
func (p *Platform) client(u *unit, to routes.Service) *http.Client {
	c := mtls.NewClient(u.source, mtls.AuthorizeID(ServiceID(p.td, to)))
	c.Timeout = 30 * time.Second

	return c
}

// callers lists who may open a connection to a service; policy then
// decides each request.
func (p *Platform) callers(s routes.Service) mtls.Authorizer {
	ids := []spiffeid.ID{ServiceID(p.td, routes.Public)}
	if s == routes.Backend {
		for _, c := range []routes.Service{routes.User, routes.Auditor, routes.Admin,
			routes.ZeroSMS} {
			ids = append(ids, ServiceID(p.td, c))
		}
	}

	return mtls.AuthorizeID(ids...)
}

func (p *Platform) serve(u *unit) error {
	var tlsCfg *tls.Config

	if u.name == routes.Public {
		cert, err := EdgeCertificate(p.ca, p.td, p.cfg.PublicHosts)
		if err != nil {
			return err
		}

		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	} else {
		tlsCfg = mtls.ServerConfig(u.source, p.callers(u.name), mtls.WithQuarantine(p.revoke))
	}

	srv := &http.Server{Handler: u.echo, TLSConfig: tlsCfg,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 32 << 10,
		ErrorLog:       slog.NewLogLogger(p.cfg.Logger.Handler(), slog.LevelDebug)}
	p.servers = append(p.servers, srv)

	l := p.listeners[u.name]

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()

		err := srv.ServeTLS(l, "", "")
		if err != nil && err != http.ErrServerClosed {
			p.cfg.Logger.Error("service stopped", "service", u.name, "err", err)
		}
	}()

	return nil
}

// principalOf returns the request's principal, which the middleware set.
func principalOf(c echo.Context) *zt.Principal {
	pr, _ := zt.PrincipalFrom(c.Request().Context())
	return pr
}
