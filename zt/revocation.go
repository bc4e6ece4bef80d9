package zt

import "context"

// RevocationChecker reports whether any facet of a Principal (token, session, user,
// device or workload) has been revoked. It returns nil when none has, and an error
// matching ErrRevoked when one has. Any other error means the state is unknown and
// the caller must fail closed.
//
// It is the seam between verification (tokens, mTLS peers) and the live revocation
// state, so that a revocation takes effect on the next request.
type RevocationChecker interface {
	CheckRevoked(ctx context.Context, p *Principal) error
}

// RevocationCheckerFunc adapts a function to a RevocationChecker.
type RevocationCheckerFunc func(ctx context.Context, p *Principal) error

// CheckRevoked calls f.
func (f RevocationCheckerFunc) CheckRevoked(ctx context.Context, p *Principal) error {
	return f(ctx, p)
}
