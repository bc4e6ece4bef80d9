package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
	"github.com/ztkit/ztkit/zt/middleware"
)

// route is one API route and the policy action it maps to.
type route struct {
	method, path, action string
	handler              func(*Server, echo.Context) error
}

// Paths of the device API, as echo patterns.
const (
	pathDevices     = "/v1/devices"
	pathDeviceToken = "/v1/devices/:id/token"
	pathRevoke      = "/v1/devices/:id/revoke"
	pathPostures    = "/v1/devices/:id/postures"
	pathPosture     = "/v1/device/posture"
	pathMessages    = "/v1/device/messages"
	pathHealth      = "/healthz"
)

// table is every route of the API. The OpenAPI test checks it against
// api/openapi.yaml.
var table = []route{
	{http.MethodPost, pathDevices, "devices.enroll", (*Server).enroll},
	{http.MethodGet, pathDevices, "devices.list", (*Server).list},
	{http.MethodPost, pathRevoke, "devices.revoke", (*Server).revoke},
	{http.MethodGet, pathPostures, "devices.postures", (*Server).postures},
	{http.MethodPost, pathDeviceToken, "devices.token", (*Server).deviceToken},
	{http.MethodPost, pathPosture, "device.posture", (*Server).posture},
	{http.MethodPost, pathMessages, "messages.upload", (*Server).upload},
	{http.MethodGet, pathMessages, "messages.read", (*Server).messages},
}

// Route is one route of the API, with its path as OpenAPI writes it
// ("/v1/devices/{id}/token").
type Route struct {
	Method, Path, Action string
}

// Routes returns every route of the API but the health check.
func Routes() []Route {
	out := make([]Route, len(table))
	for i, r := range table {
		out[i] = Route{Method: r.method, Path: strings.ReplaceAll(r.path, ":id", "{id}"),
			Action: r.action}
	}

	return out
}

func (s *Server) routes() error {
	mwRoutes := map[string]middleware.Route{}
	for _, r := range table {
		mwRoutes[r.method+" "+r.path] = middleware.Route{Action: r.action,
			Resource: "device", Entrypoint: "zerosms/authz/decision"}
	}

	dpop := s.dpopConfig()
	origin := ""
	if s.cfg.BaseURL != nil {
		origin = s.cfg.BaseURL.String()
	}

	mw, err := middleware.New(middleware.Config{
		Verifier: verifier{s: s, users: s.cfg.Users}, Engine: s.engine, Routes: mwRoutes,
		DPoP: &dpop, ExternalOrigin: origin,
		Public: []string{http.MethodGet + " " + pathHealth}, Revocation: s.cfg.Revocation,
		Audit: s.cfg.Audit, Realm: "zerosms", Logger: s.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("server: middleware: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.deviceAuth, mw.Echo())

	e.GET(pathHealth, func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})

	for _, r := range table {
		h := r.handler
		e.Add(r.method, r.path, func(c echo.Context) error { return h(s, c) })
	}

	s.echo = e

	return nil
}

// Problem is an RFC 9457 problem answer.
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// Error returns the problem's title and detail.
func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

func fail(status int, code, detail string) *Problem {
	return &Problem{Status: status, Title: http.StatusText(status), Code: code, Detail: detail}
}

// errorHandler answers an error as a problem; causes the caller must not
// see are logged and answered as 500.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}

	p := s.problemOf(err)
	if p.Status >= 500 {
		s.cfg.Logger.Error("request failed", "path", c.Path(), "err", err)
	}

	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	_ = c.JSON(p.Status, p)
}

func (s *Server) problemOf(err error) *Problem {
	var (
		p  *Problem
		he *echo.HTTPError
	)

	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, store.ErrNotFound):
		return fail(http.StatusNotFound, "not_found", "no such device")
	case errors.Is(err, store.ErrKeyInUse):
		return fail(http.StatusConflict, "key_in_use", "this key is already enrolled")
	case errors.Is(err, device.ErrInvalidPosture):
		return fail(http.StatusBadRequest, "invalid_posture", err.Error())
	case errors.Is(err, upload.ErrInvalidBatch):
		return fail(http.StatusBadRequest, "invalid_batch", err.Error())
	case errors.Is(err, finance.ErrRefused):
		return fail(http.StatusBadRequest, "platform_refused", "the finance platform refused the delegation")
	case errors.As(err, &he):
		return fail(he.Code, "http_error", fmt.Sprint(he.Message))
	}

	return fail(http.StatusInternalServerError, "internal", "")
}
