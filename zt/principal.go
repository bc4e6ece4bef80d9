package zt

import (
	"slices"
	"time"
)

// Principal is who is calling: a person (User), the device they use (Device), the
// workload that made the connection (Workload), and facts about the credential that
// proved it (Token). Any facet may be nil when the request did not establish it.
//
// A Principal is built by authentication and must be treated as read-only once it is
// stored in a context.
type Principal struct {
	// User is the person or client on whose behalf the request is made.
	User *User

	// Device is the device that holds the key the request is bound to.
	Device *Device

	// Workload is the calling service, identified by the SPIFFE ID of its mTLS peer
	// certificate or JWT-SVID.
	Workload *Workload

	// Token describes the verified credential, when there was one.
	Token *Token

	// Claims holds every verified claim of the credential, for policies that need a
	// claim ztkit does not model. It is nil when there was no token.
	Claims map[string]any
}

// User is the human (or OAuth client acting for one) facet of a Principal.
type User struct {
	// ID is the stable subject identifier (the token's "sub").
	ID string

	// SessionID identifies the sign-in session (the token's "sid"), so that a whole
	// session can be revoked.
	SessionID string

	// Roles are the roles the credential claims. Live role bindings held by the
	// policy engine take precedence over these.
	Roles []string

	// Scopes are the OAuth scopes granted to the credential.
	Scopes []string

	// AuthTime is when the user last authenticated interactively.
	AuthTime time.Time

	// AuthMethods are the authentication methods used (the "amr" claim), for
	// example "pwd" and "otp".
	AuthMethods []string
}

// HasRole reports whether the credential claims role.
func (u *User) HasRole(role string) bool {
	return u != nil && slices.Contains(u.Roles, role)
}

// HasScope reports whether the credential was granted scope.
func (u *User) HasScope(scope string) bool {
	return u != nil && slices.Contains(u.Scopes, scope)
}

// Device is the device facet of a Principal: a registered device and, when known,
// its last reported posture.
type Device struct {
	// ID is the registered device identifier.
	ID string

	// KeyThumbprint is the RFC 7638 SHA-256 thumbprint of the device's public key,
	// the key that DPoP proofs are checked against.
	KeyThumbprint string

	// Posture holds the device's posture claims (for example "rooted": false).
	Posture map[string]any
}

// Workload is the workload facet of a Principal.
type Workload struct {
	// ID is the workload's SPIFFE ID, for example
	// "spiffe://example.org/financeapp/backend".
	ID string

	// TrustDomain is the trust domain part of ID.
	TrustDomain string
}

// Token describes the verified credential behind a Principal.
type Token struct {
	// ID is the token identifier (the "jti" claim).
	ID string

	// Type is the JOSE "typ" header, for example "at+jwt".
	Type string

	// Issuer is the "iss" claim.
	Issuer string

	// Audience is the "aud" claim.
	Audience []string

	// ClientID is the OAuth client the token was issued to (RFC 9068 "client_id").
	ClientID string

	// IssuedAt is the "iat" claim; zero when absent.
	IssuedAt time.Time

	// ExpiresAt is the "exp" claim.
	ExpiresAt time.Time

	// ConfirmationJKT is the RFC 7638 thumbprint from the "cnf.jkt" claim of a
	// sender-constrained (DPoP) token; empty for a bearer token.
	ConfirmationJKT string
}

// Subject returns the user ID, or the workload ID when there is no user, or "".
// It is meant for logs and audit records.
func (p *Principal) Subject() string {
	switch {
	case p == nil:
		return ""
	case p.User != nil && p.User.ID != "":
		return p.User.ID
	case p.Workload != nil:
		return p.Workload.ID
	default:
		return ""
	}
}
