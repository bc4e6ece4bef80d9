package pep

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/zt"
)

// instrumentationName names the tracer and meter of this package.
const instrumentationName = "github.com/ztkit/ztkit/zt/pep"

// telemetry holds the OpenTelemetry instruments; each is nil when its
// provider was not configured, and then costs nothing.
type telemetry struct {
	tracer    trace.Tracer
	decisions metric.Int64Counter
	latency   metric.Float64Histogram
	reloads   metric.Int64Counter
}

func newTelemetry(cfg Config, _ *Engine) (*telemetry, error) {
	t := &telemetry{}
	if err := validateMask(cfg.DecisionLogMask); err != nil {
		return nil, err
	}
	if cfg.TracerProvider != nil {
		t.tracer = cfg.TracerProvider.Tracer(instrumentationName)
	}
	if cfg.MeterProvider == nil {
		return t, nil
	}

	m := cfg.MeterProvider.Meter(instrumentationName)
	var err error
	if t.decisions, err = m.Int64Counter("ztkit.pep.decisions",
		metric.WithDescription("Policy decisions, by result."),
		metric.WithUnit("{decision}")); err != nil {
		return nil, err
	}
	if t.latency, err = m.Float64Histogram("ztkit.pep.decision.duration",
		metric.WithDescription("Time to make a policy decision, hooks included."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(
			5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 1e-2, 0.1)); err != nil {
		return nil, err
	}
	if t.reloads, err = m.Int64Counter("ztkit.pep.policy.loads",
		metric.WithDescription("Policy reloads, by outcome (loaded or refused)."),
		metric.WithUnit("{load}")); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *telemetry) start(ctx context.Context, ep string) (context.Context, trace.Span) {
	if t.tracer == nil {
		return ctx, nil
	}
	return t.tracer.Start(ctx, "pep.decide", trace.WithAttributes(
		attribute.String("zt.policy.entrypoint", ep)))
}

func (t *telemetry) reloaded(ctx context.Context, ok bool) {
	if t.reloads == nil {
		return
	}
	outcome := "refused"
	if ok {
		outcome = "loaded"
	}
	t.reloads.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}

// finish records a decision: span, metrics and decision log.
func (e *Engine) finish(ctx context.Context, span trace.Span, st *state, ep string,
	in *Input, d zt.Decision, out outcome, start time.Time) {
	took := time.Since(start)
	t := e.tel
	result := decisionWord(d.Allow)
	if span != nil {
		span.SetAttributes(
			attribute.String("zt.decision", result),
			attribute.String("zt.decision.id", d.ID),
			attribute.StringSlice("zt.decision.reasons", d.Reasons),
			attribute.String("zt.policy.revision", d.Revision),
			attribute.Bool("zt.decision.cached", out.cached),
			attribute.Int64("zt.decision.duration_ns", took.Nanoseconds()),
		)
		if !d.Allow && isFailure(d.Reasons) {
			span.SetStatus(codes.Error, d.Reasons[0])
		}
		span.End()
	}
	if t.decisions != nil {
		attrs := metric.WithAttributes(attribute.String("result", result))
		t.decisions.Add(ctx, 1, attrs)
		t.latency.Record(ctx, took.Seconds(), attrs)
	}
	if e.cfg.DecisionLogs != nil {
		e.logDecision(ctx, st, ep, in, d, out, took)
	}
}

// isFailure reports whether a deny came from a failure rather than policy.
func isFailure(reasons []string) bool {
	if len(reasons) == 0 {
		return false
	}
	switch reasons[0] {
	case zt.ReasonEvalError, zt.ReasonTimeout, ReasonHookError, ReasonMalformed:
		return true
	}
	return false
}
