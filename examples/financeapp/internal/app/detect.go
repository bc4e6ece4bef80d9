package app

import (
	"context"
	"fmt"

	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
)

// openDetect builds the detection and response chain of this process: a
// Monitor that reads the audit stream (sign-in attempts and decisions), a
// Responder that answers its alerts through the revocation list (shared
// through Redis when configured) and the risk store that every service's
// middleware reads, and the alert store behind GET /v1/admin/alerts. It
// returns the Monitor's audit sink; the Monitor runs until Close.
func (p *Platform) openDetect() (audit.SinkConfig, error) {
	p.risk = detect.NewRiskStore(detect.RiskConfig{})
	p.alerts = detect.NewMemoryStore(0)

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

	responder, err := detect.NewResponder(cfg)
	if err != nil {
		return audit.SinkConfig{}, fmt.Errorf("app: detect: %w", err)
	}
	p.responder = responder

	mc := p.cfg.Detect
	mc.Handler = responder
	monitor := detect.NewMonitor(mc)

	ctx, cancel := context.WithCancel(context.Background())
	p.stopDetect = cancel
	p.wg.Add(1)

	go func() {
		defer p.wg.Done()
		_ = monitor.Run(ctx)
	}()

	// Detection must never make the trail refuse a request: a full queue
	// drops events for the Monitor only.
	return audit.SinkConfig{Name: "detect", Sink: monitor, Overflow: audit.Drop}, nil
}

// Risk returns the platform's risk store, raised by the Responder.
func (p *Platform) Risk() *detect.RiskStore { return p.risk }

// Alerts returns the platform's security alerts.
func (p *Platform) Alerts() detect.Store { return p.alerts }
