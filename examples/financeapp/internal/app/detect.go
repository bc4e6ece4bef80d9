package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/sqlstore"
)

// AlertRetention is how long the platform keeps security alerts in its
// database.
const AlertRetention = 90 * 24 * time.Hour

// openDetect builds the detection and response chain of this process: a
// Monitor that reads the audit stream (sign-in attempts and decisions), a
// Responder that answers its alerts through the revocation list (shared
// through Redis when configured) and the risk store that every service's
// middleware reads, and the alert store behind GET /v1/admin/alerts (a
// table in the database where this process has it, else memory). It returns
// the Monitor's audit sink; the Monitor runs until Close.
func (p *Platform) openDetect(ctx context.Context) (audit.SinkConfig, error) {
	p.risk = detect.NewRiskStore(detect.RiskConfig{})

	alerts, err := p.alertStore(ctx)
	if err != nil {
		return audit.SinkConfig{}, err
	}
	p.alerts = alerts

	cfg := detect.ResponderConfig{
		Revocations: p.revoke, Risk: p.risk, Alerts: p.alerts,
		Self: ServiceID(p.td, routes.Backend).String(), Logger: p.cfg.Logger,
		// The pipeline is built after its sinks: reach it through p.emit.
		Audit: audit.EmitterFunc(func(ctx context.Context, e audit.Event) error {
			return p.emit.Emit(ctx, e)
		}),
	}
	if p.rep != nil {
		cfg.Revoker = p.rep
	}

	// An admin's lift ends the episode: the detectors forget the account's
	// and the address's failures, and a brute-forced account is unlocked.
	var monitor *detect.Monitor
	cfg.OnLift = func(ctx context.Context, a detect.Alert) {
		monitor.Forget(&a)
		p.unlock(ctx, &a)
	}

	responder, err := detect.NewResponder(cfg)
	if err != nil {
		return audit.SinkConfig{}, fmt.Errorf("app: detect: %w", err)
	}
	p.responder = responder

	// A restart must not release what a response put in place: put back
	// the revocations and risk raises of stored alerts still in force.
	n, err := responder.Restore(ctx)
	if err != nil {
		return audit.SinkConfig{}, fmt.Errorf("app: detect: %w", err)
	}

	p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "app: restored detection responses",
		slog.Int("actions", n))

	mc := p.cfg.Detect
	mc.Handler = responder
	monitor = detect.NewMonitor(mc)

	run, cancel := context.WithCancel(context.Background())
	p.stopDetect = cancel
	p.wg.Add(1)

	go func() {
		defer p.wg.Done()
		_ = monitor.Run(run)
	}()

	if pruner, ok := p.alerts.(*sqlstore.Store); ok {
		p.wg.Add(1)

		go func() {
			defer p.wg.Done()
			p.pruneAlerts(run, pruner)
		}()
	}

	// Detection must never make the trail refuse a request: a full queue
	// drops events for the Monitor only.
	return audit.SinkConfig{Name: "detect", Sink: monitor, Overflow: audit.Drop}, nil
}

// alertStore returns the table of security alerts, migrated and cut to
// AlertRetention, when this process has the database; memory otherwise (the
// front services' own detections, which their consoles do not list).
func (p *Platform) alertStore(ctx context.Context) (detect.Store, error) {
	if p.store == nil {
		return detect.NewMemoryStore(0), nil
	}

	s, err := sqlstore.New(sqlstore.Config{DB: p.store.DB(), Dialect: p.sqlDialect(),
		Table: store.AlertTable})
	if err != nil {
		return nil, fmt.Errorf("app: alerts: %w", err)
	}

	if err := s.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("app: alerts: %w", err)
	}

	if _, err := s.Prune(ctx, time.Now().Add(-AlertRetention)); err != nil {
		return nil, fmt.Errorf("app: alerts: %w", err)
	}

	return s, nil
}

// alertPruneEvery is how often a running backend cuts the alerts table to
// AlertRetention.
const alertPruneEvery = 6 * time.Hour

// pruneAlerts cuts the alerts table to AlertRetention every alertPruneEvery
// until ctx ends; the cut at start is alertStore's.
func (p *Platform) pruneAlerts(ctx context.Context, s *sqlstore.Store) {
	tick := time.NewTicker(alertPruneEvery)
	defer tick.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}

		if _, err := s.Prune(ctx, time.Now().Add(-AlertRetention)); err != nil {
			p.cfg.Logger.LogAttrs(ctx, slog.LevelError, "app: prune alerts",
				slog.String("error", err.Error()))
		}
	}
}

// unlock clears the failed sign-ins of the account that a lifted
// brute-force alert is about, so that its owner can sign in again at once.
func (p *Platform) unlock(ctx context.Context, a *detect.Alert) {
	if a.Source != detect.SourceBruteForce || a.Subject.User == "" || p.store == nil {
		return
	}

	u, err := p.store.User(ctx, a.Subject.User)
	if err == nil {
		err = p.store.ClearFailedLogins(ctx, u.Email)
	}

	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelError, "app: unlock after a lift",
			slog.String("alert", a.ID), slog.String("error", err.Error()))
	}
}

// Risk returns the platform's risk store, raised by the Responder.
func (p *Platform) Risk() *detect.RiskStore { return p.risk }

// Alerts returns the platform's security alerts.
func (p *Platform) Alerts() detect.Store { return p.alerts }
