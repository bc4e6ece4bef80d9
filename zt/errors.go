package zt

import "errors"

// Kinds of failure that callers branch on with errors.Is. Every error that ztkit
// returns for a refused request matches exactly one of them.
var (
	// ErrUnauthenticated means the caller did not prove who it is: no credential, or
	// one that failed verification.
	ErrUnauthenticated = errors.New("zt: unauthenticated")

	// ErrForbidden means the caller is known but policy denied the request.
	ErrForbidden = errors.New("zt: forbidden")

	// ErrRevoked means the credential, session, subject, device or workload has been
	// revoked. It is a form of unauthenticated: callers answer 401.
	ErrRevoked = errors.New("zt: revoked")

	// ErrInvalidRequest means the request itself is malformed.
	ErrInvalidRequest = errors.New("zt: invalid request")

	// ErrUnavailable means a component needed to decide (policy engine, audit trail,
	// key set) is unavailable; the request is refused, failing closed.
	ErrUnavailable = errors.New("zt: unavailable")
)

// RFC 6750 error codes carried by Error.Code.
const (
	CodeInvalidRequest    = "invalid_request"
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"
)

// Error is a refused request with what each audience needs to know: Kind for the
// program (one of the Err* sentinels), Code for the caller (an RFC 6750 error code),
// Reason for the operator (a stable reason code), and the underlying cause.
//
// Error matches both its Kind and its cause with errors.Is.
type Error struct {
	// Kind is one of ErrUnauthenticated, ErrForbidden, ErrRevoked,
	// ErrInvalidRequest or ErrUnavailable.
	Kind error

	// Code is the RFC 6750 error code to give the caller, or "".
	Code string

	// Reason is a stable reason code for the audit trail, for example
	// "token.expired".
	Reason string

	// Err is the underlying cause; it may carry details that must not reach the
	// caller.
	Err error
}

// Error returns the kind, reason and cause in one line for logs.
func (e *Error) Error() string {
	msg := "zt: refused"
	if e.Kind != nil {
		msg = e.Kind.Error()
	}

	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}

	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}

	return msg
}

// Unwrap returns the kind and the cause, so that errors.Is matches either.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}

	if e.Err != nil {
		errs = append(errs, e.Err)
	}

	return errs
}

// NewError returns an *Error of the given kind, RFC 6750 code and reason code,
// wrapping cause.
func NewError(kind error, code, reason string, cause error) *Error {
	return &Error{Kind: kind, Code: code, Reason: reason, Err: cause}
}

// ReasonOf returns the reason code of the first *Error in err's chain, or "".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}

	return ""
}

// CodeOf returns the RFC 6750 error code of the first *Error in err's chain, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}

	return ""
}
