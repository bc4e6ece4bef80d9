// Package otelsink writes audit events as OpenTelemetry log records through
// the OpenTelemetry logs bridge API, so that they reach whatever log pipeline
// the service's LoggerProvider exports to, correlated with the request's trace.
//
//	sink := otelsink.New(provider) // an sdk/log LoggerProvider
//	// use sink as an audit.Sink in an audit.Pipeline, with audit.Drop
package otelsink

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/zt/audit"
)

// ScopeName is the instrumentation scope of the records.
const ScopeName = "github.com/ztkit/ztkit/zt/audit"

// EventName is the OpenTelemetry event name of every record.
const EventName = "ztkit.audit"

// Sink emits audit events as log records. It implements audit.Sink.
type Sink struct {
	logger log.Logger
	now    func() time.Time
}

// New returns a Sink that emits through provider's logger for ScopeName.
func New(provider log.LoggerProvider) *Sink {
	return &Sink{logger: provider.Logger(ScopeName), now: time.Now}
}

// Write emits one record per event: severity INFO for an allow, WARN for a
// deny; the body names decision and action; the attributes carry the fields
// of the event under OpenTelemetry semantic-convention names where one exists.
// An event's TraceID links the record to its trace.
func (s *Sink) Write(ctx context.Context, batch []audit.Event) error {
	observed := s.now()

	for i := range batch {
		e := &batch[i]

		var r log.Record
		r.SetEventName(EventName)
		r.SetTimestamp(e.Time)
		r.SetObservedTimestamp(observed)
		r.SetSeverity(severity(e))
		r.SetSeverityText(severity(e).String())
		r.SetBody(attribute.StringValue(e.Decision + " " + e.Action))
		r.AddAttributes(Attributes(e)...)

		s.logger.Emit(withTrace(ctx, e.TraceID), r)
	}

	return nil
}

func severity(e *audit.Event) log.Severity {
	if e.Decision == "deny" {
		return log.SeverityWarn
	}

	return log.SeverityInfo
}

// withTrace returns ctx carrying the trace ID traceID (32 hex digits), so
// that the SDK stamps it on the record; ctx is returned unchanged when it
// already carries a span or traceID is not valid.
func withTrace(ctx context.Context, traceID string) context.Context {
	if traceID == "" || trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}

	id, err := trace.TraceIDFromHex(traceID)
	if err != nil {
		return ctx
	}

	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: id})

	return trace.ContextWithSpanContext(ctx, sc)
}

// Attributes returns the attributes of the record for e, leaving out empty
// fields.
func Attributes(e *audit.Event) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 24)
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, attribute.String(k, v))
		}
	}

	add("audit.id", e.ID)
	add("audit.kind", e.Kind)
	add("audit.decision", e.Decision)
	add("audit.action", e.Action)
	add("user.id", e.Actor.User)
	add("session.id", e.Actor.Session)
	add("device.id", e.Actor.Device)
	add("audit.actor.workload", e.Actor.Workload)
	add("audit.resource.type", e.Resource.Type)
	add("audit.resource.id", e.Resource.ID)
	add("audit.resource.owner", e.Resource.Owner)

	if len(e.Reasons) > 0 {
		kv = append(kv, attribute.StringSlice("audit.reasons", e.Reasons))
	}

	add("audit.policy_revision", e.PolicyRevision)
	add("audit.decision_id", e.DecisionID)
	add("audit.request_id", e.RequestID)
	add("client.address", e.SourceAddr)
	add("user_agent.original", e.UserAgent)
	add("http.request.method", e.Method)
	add("http.route", e.Route)

	if e.Status != 0 {
		kv = append(kv, attribute.Int("http.response.status_code", e.Status))
	}

	for k, v := range e.Attributes {
		add("audit.attr."+k, v)
	}

	return kv
}

var _ audit.Sink = (*Sink)(nil)
