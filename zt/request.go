package zt

import "time"

// Request is what a Principal asks to do: an action on a resource, with the facts of
// the HTTP (or RPC) request that carried it.
type Request struct {
	// Action names what is being done, for example "transactions.read". Middleware
	// derives it from the route template, never from the raw path.
	Action string

	// Resource is what the action applies to.
	Resource Resource

	// Method is the HTTP method or RPC method name.
	Method string

	// Route is the route template that matched, for example "/v1/transactions/{id}".
	Route string

	// Path is the raw request path, kept for the audit trail; policies should use
	// Route.
	Path string

	// SourceAddr is the network address the request came from.
	SourceAddr string

	// UserAgent is the client's User-Agent header.
	UserAgent string

	// RequestID correlates the request across logs and the audit trail.
	RequestID string

	// Time is when the request arrived.
	Time time.Time
}

// Resource identifies what an action applies to. Owner and Attributes are usually
// filled by a hook that loads the resource before the decision.
type Resource struct {
	// Type is the kind of resource, for example "transaction".
	Type string

	// ID identifies one resource; it is empty for collections.
	ID string

	// Owner is the user ID that owns the resource, when it has one.
	Owner string

	// Attributes carries any other facts a policy needs.
	Attributes map[string]any
}

// Risk is the current risk assessment of a request's principal: a score from 0 (none)
// to 100 (certain compromise) and the signals that raised it.
type Risk struct {
	// Score is between 0 and 100.
	Score int

	// Signals name what raised the score, for example "impossible_travel".
	Signals []string
}
