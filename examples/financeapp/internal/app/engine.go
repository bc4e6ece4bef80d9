package app

import (
	"context"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/backend"
	"github.com/ztkit/ztkit/examples/financeapp/internal/pip"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/examples/financeapp/policy"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/revoke"
)

// filterName names the auditor's row filter in the backend's engine.
const filterName = "transactions"

type revokeEntry = revoke.Entry

func sessionEntry(sid string) revoke.Entry {
	return revoke.Entry{Kind: revoke.Session, Value: sid, Reason: "financeapp.session_revoked"}
}

// engine loads the platform's policy for service s, subscribes it to the
// PIP publisher and, for the backend, prepares the auditor's row filter.
func (p *Platform) engine(ctx context.Context, s routes.Service, hook pep.BeforeHook) (*pep.Engine, error) {
	bundle, err := policy.Bundle()
	if err != nil {
		return nil, err
	}

	cfg := pep.Config{Policies: bundle, Entrypoints: []string{policy.Entrypoint(s)},
		Timeout: p.cfg.DecisionTimeout, Logger: p.cfg.Logger}

	cfg.Before = []pep.BeforeHook{authFreshness}
	if hook != nil {
		cfg.Before = append(cfg.Before, hook)
	}

	if s == routes.Backend {
		dialect := pep.DialectSQLite
		if p.store.Dialect() == store.Postgres {
			dialect = pep.DialectPostgreSQL
		}

		cfg.Filters = map[string]pep.FilterSpec{filterName: {
			Query: policy.FilterQuery, Table: "transactions", Dialect: dialect,
		}}
	}

	e, err := pep.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}

	p.closers = append(p.closers, e.Close)

	if p.pip != nil {
		p.pip.Subscribe(p.sink(e))
	} else {
		p.sinks = append(p.sinks, p.sink(e))
	}

	return e, nil
}

// sink applies PIP snapshots to an engine, with the services' SPIFFE IDs.
func (p *Platform) sink(e *pep.Engine) pip.Sink {
	services := map[string]any{}
	for _, s := range append([]routes.Service{routes.ZeroSMS}, routes.Services...) {
		services[string(s)] = ServiceID(p.td, s).String()
	}

	return func(ctx context.Context, snap pip.Snapshot) error {
		_, err := e.Update(ctx, func(tx *pep.Tx) error {
			for user, roles := range snap.Roles {
				tx.SetRoles(user, roles...)
			}

			for _, user := range snap.Removed {
				tx.SetRoles(user)
			}

			grants := map[string]any{}
			for aud, gs := range snap.Grants {
				list := make([]any, len(gs))
				for i, g := range gs {
					list[i] = g
				}

				grants[aud] = list
			}

			totp := map[string]any{}
			for user := range snap.TOTP {
				totp[user] = true
			}

			tx.SetFact("services", services)
			tx.SetFact("grants", grants)
			tx.SetFact("totp", totp)

			return nil
		})

		return err
	}
}

// authFreshness tells the policies whether the caller's sign-in is recent
// enough for a step-up (input.context.auth_fresh). Computed here, it keeps
// the request time out of every rule: decisions become a function of their
// input and pep's decision cache can serve them. The boolean changes with
// time, so a cached "fresh" decision is never reused for a stale sign-in:
// the key changes with it.
func authFreshness(_ context.Context, in *pep.Input) error {
	if in.Principal == nil || in.Principal.User == nil {
		return nil
	}

	if in.Context == nil {
		in.Context = map[string]any{}
	}

	now := in.Request.Time
	if now.IsZero() {
		now = time.Now()
	}

	age := now.Sub(in.Principal.User.AuthTime)
	in.Context["auth_fresh"] = !in.Principal.User.AuthTime.IsZero() &&
		age <= routes.StepUpMaxAge

	return nil
}

// resourceHook loads the owner of the resource a backend route acts on, so
// that the policy can compare it with the caller.
func resourceHook(be *backend.Service) pep.BeforeHook {
	return func(ctx context.Context, in *pep.Input) error {
		if in.Request.Resource.ID == "" {
			return nil
		}

		for _, r := range routes.Served(routes.Backend) {
			if r.Method == in.Request.Method && r.EchoPath() == in.Request.Route {
				res, err := be.Resource(ctx, r, in.Request.Resource.ID)
				if err != nil {
					return err
				}

				in.Request.Resource = res

				return nil
			}
		}

		return nil
	}
}

// auditorFilter asks the backend's engine which transactions the caller may
// see, as a SQL condition; the auditor may narrow it to one owner.
func auditorFilter(ctx context.Context, e *pep.Engine, c echo.Context) (string, []any, bool,
	error) {
	now := time.Now()
	in := &pep.Input{
		Principal: principalOf(c),
		Request: zt.Request{Action: "auditor.transactions", Method: c.Request().Method,
			Route: c.Path(), Time: now},
		// The filter compares grant expiry with now_ns: the policies never
		// read the request time (see authFreshness).
		Context: map[string]any{"now_ns": now.UnixNano()},
	}

	if owner := c.QueryParam("owner_id"); owner != "" {
		in.Context["owner_id"] = owner
	}

	f, err := e.Filter(ctx, filterName, in)
	if err != nil {
		return "", nil, false, fmt.Errorf("app: auditor filter: %w", err)
	}

	if f.None {
		return "", nil, true, nil
	}

	if f.Where == "" {
		// The policy admitted every row: never the case for an auditor, so a
		// bug; refuse rather than show everyone's data.
		return "", nil, false, fmt.Errorf("app: auditor filter admits every row")
	}

	cond, args := f.Condition()

	return cond, args, false, nil
}
