package audit

import (
	"context"
	"log/slog"
)

// SlogSink writes each event as one structured log record, for operators who
// collect logs. It is an observability sink, not a record of evidence: pair it
// with the Drop overflow policy.
type SlogSink struct {
	logger *slog.Logger
	level  slog.Level
}

// NewSlogSink returns a Sink that logs events to logger at slog.LevelInfo,
// with the message "audit".
func NewSlogSink(logger *slog.Logger) *SlogSink {
	return &SlogSink{logger: logger, level: slog.LevelInfo}
}

// WithLevel returns a copy of s that logs at level.
func (s *SlogSink) WithLevel(level slog.Level) *SlogSink {
	c := *s
	c.level = level

	return &c
}

// Write logs every event of batch.
func (s *SlogSink) Write(ctx context.Context, batch []Event) error {
	for i := range batch {
		s.logger.LogAttrs(ctx, s.level, "audit", Attrs(&batch[i])...)
	}

	return nil
}

// Attrs returns e as slog attributes, leaving out empty fields.
func Attrs(e *Event) []slog.Attr {
	attrs := make([]slog.Attr, 0, 16)
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}

	add("id", e.ID)
	// The record has its own "time" (when it was logged); the event's time gets a
	// name of its own so that a JSON record never carries the same key twice.
	attrs = append(attrs, slog.Time("event_time", e.Time))
	add("kind", e.Kind)
	add("decision", e.Decision)
	add("action", e.Action)
	attrs = append(attrs, actorAttr(e.Actor), resourceAttr(e.Resource))

	if len(e.Reasons) > 0 {
		attrs = append(attrs, slog.Any("reasons", e.Reasons))
	}

	add("policy_revision", e.PolicyRevision)
	add("decision_id", e.DecisionID)
	add("request_id", e.RequestID)
	add("trace_id", e.TraceID)
	add("source_addr", e.SourceAddr)
	add("user_agent", e.UserAgent)
	add("method", e.Method)
	add("route", e.Route)

	if e.Status != 0 {
		attrs = append(attrs, slog.Int("status", e.Status))
	}

	if len(e.Attributes) > 0 {
		attrs = append(attrs, slog.Any("attributes", e.Attributes))
	}

	return attrs
}

func actorAttr(a Actor) slog.Attr {
	return group("actor", "user", a.User, "session", a.Session,
		"device", a.Device, "workload", a.Workload)
}

func resourceAttr(r Resource) slog.Attr {
	return group("resource", "type", r.Type, "id", r.ID, "owner", r.Owner)
}

// group returns a group of the non-empty key-value pairs kv; a group with
// none is left out by handlers.
func group(name string, kv ...string) slog.Attr {
	var attrs []any
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			attrs = append(attrs, slog.String(kv[i], kv[i+1]))
		}
	}

	return slog.Group(name, attrs...)
}
