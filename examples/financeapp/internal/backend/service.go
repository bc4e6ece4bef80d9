// Package backend is the finance platform's backend service, the only one
// that touches the database. Each handler serves one route of the route
// table after the service's guard authenticated the caller (user token and
// mTLS workload) and the backend policy allowed the request; handlers still
// scope every query to the caller, so a policy mistake cannot widen what a
// query returns.
package backend

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/pip"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/token"
)

// Filter returns the SQL condition over the transactions table that keeps
// the rows the caller of ctx may see, from the policy engine's partial
// evaluation, with the values of its bind parameters (numbered from the
// first); none reports that no row is visible.
type Filter func(ctx context.Context, c echo.Context) (cond string, args []any, none bool,
	err error)

// Config configures a Service.
type Config struct {
	// Store is the database. Required.
	Store *store.Store

	// PIP publishes role bindings and grants after each change. Required.
	PIP *pip.Publisher

	// Revoke makes the given sessions fail on their next request in every
	// service. Required.
	Revoke func(ctx context.Context, sessionIDs []string) error

	// Filter derives the auditor's row filter. Required.
	Filter Filter

	// Audit receives one "login" event per sign-in attempt, allowed or
	// denied, for the detectors (brute force, compromised sign-in, new
	// source). Nil records none.
	Audit audit.Emitter

	// Alerts holds the security alerts the admin console lists. Nil answers
	// an empty list.
	Alerts detect.Store

	// LiftAlert withdraws the actions taken for an alert, for an admin who
	// has dealt with it (detect.Responder.Lift). Nil answers 404 to every
	// lift.
	LiftAlert func(ctx context.Context, id string, by audit.Actor) (detect.Alert, error)

	// Password is the argon2id cost for new hashes; zero means
	// password.Default.
	Password password.Params

	// TOTPIssuer names the platform in authenticator apps; empty means
	// "ztkit finance".
	TOTPIssuer string

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service serves the backend's routes.
type Service struct {
	cfg       Config
	refreshes *token.RefreshTokens
}

// New returns a Service after checking cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.PIP == nil || cfg.Revoke == nil || cfg.Filter == nil {
		return nil, fmt.Errorf("backend: Store, PIP, Revoke and Filter are required")
	}

	if cfg.Password == (password.Params{}) {
		cfg.Password = password.Default
	}

	if cfg.TOTPIssuer == "" {
		cfg.TOTPIssuer = "ztkit finance"
	}

	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	// A refresh token lives as long as its session: rotation never extends
	// a family past SessionTTL.
	refresh, err := token.NewRefreshTokens(token.RefreshConfig{
		Store: familyRevoker{cfg.Store.RefreshTokens(), cfg.Revoke},
		TTL:   SessionTTL, MaxLifetime: SessionTTL, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}

	return &Service{cfg: cfg, refreshes: refresh}, nil
}

// refreshClient is the client ID of the platform's refresh tokens.
const refreshClient = "financeapp"

// familyRevoker is the refresh store the backend rotates with: when a token
// is reused, revoking its family revokes its session in the database and
// makes the session's access tokens fail on their next request everywhere.
type familyRevoker struct {
	*store.RefreshStore
	revoke func(ctx context.Context, sessionIDs []string) error
}

// RevokeFamily revokes the family, its sessions and their access tokens.
func (f familyRevoker) RevokeFamily(ctx context.Context, family string) error {
	ids, err := f.RevokeFamilySessions(ctx, family)
	if err != nil {
		return err
	}

	return f.revoke(ctx, ids)
}

// Handlers returns the handler of every backend route, by action.
func (s *Service) Handlers() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"auth.backend.register": s.register,
		"auth.backend.login":    s.login,
		"auth.backend.refresh":  s.refresh,
		"auth.backend.step_up":  s.stepUp,
		"auth.backend.logout":   s.logout,

		"profile.read":         s.profile,
		"profile.update":       s.updateProfile,
		"profile.totp_setup":   s.totpSetup,
		"profile.totp_confirm": s.totpConfirm,
		"profile.sessions":     s.mySessions,
		"profile.password":     s.changePassword,
		"profile.totp_disable": s.disableTOTP,

		"transactions.list":    s.listTransactions,
		"transactions.create":  s.createTransaction,
		"transactions.summary": s.summary,
		"transactions.export":  s.export,
		"transactions.read":    s.readTransaction,
		"transactions.update":  s.updateTransaction,
		"transactions.delete":  s.deleteTransaction,

		"auditors.list": s.auditors,
		"grants.list":   s.listGrants,
		"grants.create": s.createGrant,
		"grants.revoke": s.revokeGrant,

		"drafts.list":    s.listDrafts,
		"drafts.confirm": s.confirmDraft,
		"drafts.discard": s.discardDraft,
		"drafts.ingest":  s.ingestDraft,

		"auditor.grants":       s.auditorGrants,
		"auditor.transactions": s.auditorTransactions,

		"admin.users.list":            s.adminUsers,
		"admin.users.set_role":        s.adminSetRole,
		"admin.users.reject":          s.adminReject,
		"admin.users.delete":          s.adminDelete,
		"admin.users.revoke_sessions": s.adminRevokeSessions,
		"admin.session_log":           s.adminSessionLog,
		"admin.audit":                 s.adminAudit,
		"admin.alerts":                s.adminAlerts,
		"admin.alerts.lift":           s.adminLiftAlert,

		"pip.read": s.pipFeed,
	}
}

// Resource loads the owner of an owner route's {id} resource for the
// policy; Exists is false when there is no such resource.
func (s *Service) Resource(ctx context.Context, r routes.Route, id string) (zt.Resource, error) {
	res := zt.Resource{Type: r.Resource, ID: id, Attributes: map[string]any{"exists": true}}
	if !r.Owner {
		if r.Resource == "" && id != "" {
			res.Type = "user"
		}

		return res, nil
	}

	owner, err := s.owner(ctx, r.Resource, id)
	switch {
	case err == store.ErrNotFound:
		res.Attributes["exists"] = false
		return res, nil
	case err != nil:
		return res, err
	}

	res.Owner = owner

	return res, nil
}

func (s *Service) owner(ctx context.Context, typ, id string) (string, error) {
	st := s.cfg.Store

	switch typ {
	case "transaction":
		return st.TransactionOwner(ctx, id)
	case "grant":
		return st.GrantOwner(ctx, id)
	case "draft":
		return st.DraftOwner(ctx, id)
	default:
		return "", fmt.Errorf("backend: no owner lookup for %q", typ)
	}
}

// caller returns the signed-in user of the request.
func caller(c echo.Context) (id, sid string, err error) {
	p, ok := zt.PrincipalFrom(c.Request().Context())
	if !ok || p.User == nil || p.User.ID == "" {
		return "", "", httpx.Fail(http.StatusUnauthorized, "unauthenticated", "sign in first")
	}

	return p.User.ID, p.User.SessionID, nil
}

// published publishes the PIP after a change; a failure fails the request,
// since some service might still decide on the old data.
func (s *Service) published(c echo.Context, status int, body any) error {
	if err := s.cfg.PIP.Publish(c.Request().Context()); err != nil {
		return err
	}

	if body == nil {
		return c.NoContent(status)
	}

	return c.JSON(status, body)
}

// pipFeed answers the policy information that services in other processes
// poll: role bindings, TOTP users, active grants and revoked sessions.
func (s *Service) pipFeed(c echo.Context) error {
	ctx := c.Request().Context()

	snap, err := s.cfg.PIP.Snapshot(ctx)
	if err != nil {
		return err
	}

	revoked, err := s.cfg.Store.RevokedSessions(ctx)
	if err != nil {
		return err
	}

	snap.Sessions = make(map[string]time.Time, len(revoked))
	for _, sess := range revoked {
		snap.Sessions[sess.ID] = sess.ExpiresAt
	}

	c.Response().Header().Set("Cache-Control", "no-store")

	return c.JSON(http.StatusOK, snap)
}
