package audit

import (
	"context"
	"time"
)

// Event is one audit record: who did what to which resource, what was decided and
// why. It never carries a secret, a token or a password; sinks may rely on that.
type Event struct {
	// ID uniquely identifies the event.
	ID string `json:"id"`

	// Time is when the decision was made.
	Time time.Time `json:"time"`

	// Kind says what produced the event, for example "decision", "login",
	// "revocation" or "alert".
	Kind string `json:"kind"`

	// Actor is who acted.
	Actor Actor `json:"actor"`

	// Action is what was attempted, for example "transactions.read".
	Action string `json:"action"`

	// Resource is what the action applied to.
	Resource Resource `json:"resource"`

	// Decision is "allow" or "deny".
	Decision string `json:"decision"`

	// Reasons are the stable reason codes behind the decision.
	Reasons []string `json:"reasons,omitempty"`

	// PolicyRevision identifies the policy and data that decided.
	PolicyRevision string `json:"policy_revision,omitempty"`

	// DecisionID links the event to the policy engine's decision log.
	DecisionID string `json:"decision_id,omitempty"`

	// RequestID correlates the event with the request's logs.
	RequestID string `json:"request_id,omitempty"`

	// TraceID is the OpenTelemetry trace the request belongs to.
	TraceID string `json:"trace_id,omitempty"`

	// SourceAddr is where the request came from.
	SourceAddr string `json:"source_addr,omitempty"`

	// UserAgent is the client's User-Agent header.
	UserAgent string `json:"user_agent,omitempty"`

	// Method and Route are the HTTP method and route template.
	Method string `json:"method,omitempty"`
	Route  string `json:"route,omitempty"`

	// Status is the response status code, when known.
	Status int `json:"status,omitempty"`

	// Attributes carries further non-secret facts.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Actor identifies who acted, by each facet that was established.
type Actor struct {
	// User is the user ID.
	User string `json:"user,omitempty"`

	// Session is the session ID.
	Session string `json:"session,omitempty"`

	// Device is the device ID.
	Device string `json:"device,omitempty"`

	// Workload is the SPIFFE ID of the calling workload.
	Workload string `json:"workload,omitempty"`
}

// Resource identifies what an action applied to.
type Resource struct {
	// Type is the kind of resource.
	Type string `json:"type,omitempty"`

	// ID identifies one resource.
	ID string `json:"id,omitempty"`

	// Owner is the user who owns it.
	Owner string `json:"owner,omitempty"`
}

// Emitter accepts audit events. Emit returns an error when the event could not be
// accepted under the emitter's overflow policy; an enforcement point that gets one
// from a fail-closed emitter must deny the request.
type Emitter interface {
	Emit(ctx context.Context, e Event) error
}

// EmitterFunc adapts a function to an Emitter.
type EmitterFunc func(ctx context.Context, e Event) error

// Emit calls f.
func (f EmitterFunc) Emit(ctx context.Context, e Event) error {
	return f(ctx, e)
}
