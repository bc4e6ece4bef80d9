// Package server is the ZeroSMS backend's HTTP API: device enrollment by a
// signed-in user of the finance platform, device-bound (DPoP) tokens, posture
// reports, idempotent batch upload of SMS, and the forwarding of parsed
// transactions to the finance platform as drafts.
//
// Every request passes the ztkit middleware and is decided by the backend's
// own Rego policy (package policy). Users authenticate with the platform's
// access tokens, verified against its JWKS. Devices authenticate with a
// short-lived access token that this server issues, bound to the device key
// ("cnf.jkt"), and a fresh DPoP proof (RFC 9449) with every request; the
// token endpoint itself takes a proof signed by the enrolled key. A revoked
// device is refused on its next request.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/policy"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/examples/zerosms-backend/triage"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
)

// Audience is the audience of the device tokens this server issues.
const Audience = "zerosms"

// ClientID is the OAuth client id of the device tokens.
const ClientID = "zerosms-device"

// DefaultDeviceTokenTTL is the lifetime of a device token.
const DefaultDeviceTokenTTL = 5 * time.Minute

// Config configures a Server. Store, Users, Finance and Issuer are required.
type Config struct {
	// Store keeps devices and messages.
	Store *store.Store

	// Users verifies the finance platform's access tokens (its JWKS).
	Users middleware.Verifier

	// Finance reaches the finance platform.
	Finance *finance.Client

	// Issuer signs device tokens; its issuer name is the "iss" they carry.
	Issuer *token.Issuer

	// IssuerName is the "iss" of device tokens; it must be the Issuer's.
	IssuerName string

	// BaseURL is the URL devices address this server at, for DPoP "htu"
	// checks behind a proxy. Nil means the request's own scheme and host.
	BaseURL *url.URL

	// Revocation holds revoked devices; nil means a fresh in-memory list.
	Revocation *revoke.List

	// Triage parses and classifies messages; nil means the shipped parser
	// and model.
	Triage *triage.Triage

	// Audit receives one event per decided request; nil records nothing.
	Audit audit.Emitter

	// DecisionTimeout bounds each policy decision; zero means pep's default.
	DecisionTimeout time.Duration

	// Logger receives service logs; nil discards them.
	Logger *slog.Logger

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Server is the ZeroSMS backend's API.
type Server struct {
	cfg     Config
	engine  *pep.Engine
	devices *token.Verifier
	dpop    *token.DPoPVerifier
	ledger  *upload.Ledger
	echo    *echo.Echo

	forwarding sync.Map // device id → *sync.Mutex
}

// New builds a Server: it loads the policy (running its tests), re-applies
// the revocations of revoked devices, and registers the routes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.Finance == nil || cfg.Issuer == nil {
		return nil, errors.New("server: Store, Users, Finance and Issuer are required")
	}

	cfg = withDefaults(cfg)
	s := &Server{cfg: cfg}

	if err := s.init(ctx); err != nil {
		return nil, err
	}

	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	if cfg.Revocation == nil {
		cfg.Revocation = revoke.NewList(revoke.Config{})
	}

	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}

	return cfg
}

func (s *Server) init(ctx context.Context) error {
	var err error

	if s.cfg.Triage == nil {
		if s.cfg.Triage, err = triage.New(nil, nil); err != nil {
			return fmt.Errorf("server: triage: %w", err)
		}
	}

	s.engine, err = pep.New(ctx, pep.Config{Policies: policy.Bundle(),
		Entrypoints: []string{policy.Entrypoint}, Timeout: s.cfg.DecisionTimeout,
		Logger: s.cfg.Logger})
	if err != nil {
		return fmt.Errorf("server: policy: %w", err)
	}

	if err := s.initTokens(ctx); err != nil {
		return err
	}

	if err := s.restoreRevocations(ctx); err != nil {
		return err
	}

	s.ledger = &upload.Ledger{Now: s.cfg.Now, Store: s.cfg.Store.AddMessages,
		Load: s.cfg.Store.LoadMessages}

	return s.routes()
}

func (s *Server) initTokens(ctx context.Context) error {
	keys, err := s.cfg.Issuer.PublicKeys()
	if err != nil {
		return fmt.Errorf("server: device token keys: %w", err)
	}

	s.devices, err = token.NewVerifier(ctx, token.VerifierConfig{Issuer: s.cfg.IssuerName,
		Audience: []string{Audience}, Keys: keys, Revocation: s.cfg.Revocation,
		Now: s.cfg.Now})
	if err != nil {
		return fmt.Errorf("server: device token verifier: %w", err)
	}

	s.dpop, err = token.NewDPoPVerifier(s.dpopConfig())
	if err != nil {
		return fmt.Errorf("server: DPoP: %w", err)
	}

	return nil
}

// restoreRevocations puts the revoked devices of the store back on the
// revocation list, for as long as a token issued before the revocation
// could live.
func (s *Server) restoreRevocations(ctx context.Context) error {
	ids, err := s.cfg.Store.RevokedDevices(ctx)
	if err != nil {
		return err
	}

	for _, id := range ids {
		if err := s.cfg.Revocation.Revoke(s.deviceRevocation(id)); err != nil {
			return fmt.Errorf("server: revocation: %w", err)
		}
	}

	return nil
}

func (s *Server) deviceRevocation(id string) revoke.Entry {
	return revoke.Entry{Kind: revoke.Device, Value: id, Reason: "zerosms.device_revoked",
		Expires: s.cfg.Now().Add(s.cfg.Issuer.TTL() + time.Minute)}
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

// dpopConfig is how proofs are checked, at the token endpoint and by the
// middleware: ES256 or EdDSA device keys only.
func (s *Server) dpopConfig() token.DPoPConfig {
	return token.DPoPConfig{Algorithms: []string{"ES256", "EdDSA"}, Now: s.cfg.Now}
}

// requestURL is the URL a device's proof must name: BaseURL (with its path
// prefix, as zt/middleware's ExternalOrigin), or the scheme and host the
// request came to, followed by the request's path.
func (s *Server) requestURL(r *http.Request) *url.URL {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
	if r.TLS != nil {
		u.Scheme = "https"
	}

	if b := s.cfg.BaseURL; b != nil {
		u.Scheme, u.Host, u.Path = b.Scheme, b.Host, path.Join("/", b.Path, r.URL.Path)
	}

	return u
}
