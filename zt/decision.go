package zt

// Reason codes that ztkit itself puts in a Decision. Policies add their own; codes are
// stable, lower-case, dot-separated identifiers meant for operators and the audit
// trail, never for the caller.
const (
	// ReasonAllowed marks a decision that allowed without naming a reason.
	ReasonAllowed = "allowed"

	// ReasonUndefined means the policy produced no decision; it is a deny.
	ReasonUndefined = "policy.undefined"

	// ReasonEvalError means the policy engine failed; it is a deny.
	ReasonEvalError = "policy.error"

	// ReasonTimeout means the decision took longer than its deadline; it is a deny.
	ReasonTimeout = "policy.timeout"

	// ReasonUnauthenticated means no valid credential was presented.
	ReasonUnauthenticated = "authn.missing"

	// ReasonInvalidToken means the credential failed verification.
	ReasonInvalidToken = "authn.invalid_token"

	// ReasonRevoked means the token, session, subject, device or workload has been
	// revoked.
	ReasonRevoked = "authn.revoked"

	// ReasonWorkloadDenied means the calling workload is not allowed.
	ReasonWorkloadDenied = "workload.denied"

	// ReasonAuditUnavailable means the request was denied because the audit trail
	// could not record it (a fail-closed overflow policy).
	ReasonAuditUnavailable = "audit.unavailable"
)

// Obligation names that ztkit's enforcement understands. A Decision may carry others;
// an enforcement point must refuse a decision with an obligation it cannot fulfil.
const (
	// ObligationStepUp asks for a fresher or stronger authentication, for example a
	// TOTP code; its value names the method or maximum age.
	ObligationStepUp = "step_up"

	// ObligationRedact lists fields to remove from the response.
	ObligationRedact = "redact"

	// ObligationFilter restricts a list to the rows the principal may see.
	ObligationFilter = "filter"
)

// Decision is the outcome of a policy evaluation.
type Decision struct {
	// ID identifies this decision in the audit trail and decision logs.
	ID string

	// Allow is true only when policy explicitly allowed the request. The zero
	// Decision denies.
	Allow bool

	// Reasons are stable reason codes that explain the outcome to an operator.
	Reasons []string

	// Obligations must be fulfilled by the enforcement point before (or while)
	// serving an allowed request.
	Obligations map[string]any

	// Revision identifies the policy and data that produced the decision.
	Revision string
}

// Deny returns a denying Decision with the given reason codes.
func Deny(reasons ...string) Decision {
	return Decision{Reasons: reasons}
}
