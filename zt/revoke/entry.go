package revoke

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is the facet of a principal that an Entry revokes.
type Kind uint8

// The kinds of revocation. The zero Kind is invalid.
const (
	// Token revokes one token by its "jti" claim.
	Token Kind = iota + 1

	// Session revokes every token of a sign-in session by its "sid" claim.
	Session

	// Subject revokes every credential of a user by its "sub" claim.
	Subject

	// Device revokes a registered device by its ID.
	Device

	// Workload revokes a workload by its SPIFFE ID, at the handshake and on
	// each request of a live connection.
	Workload

	numKinds
)

var kindNames = [numKinds]string{
	Token:    "token",
	Session:  "session",
	Subject:  "subject",
	Device:   "device",
	Workload: "workload",
}

// String returns the lower-case name of k, for example "session".
func (k Kind) String() string {
	if k == 0 || k >= numKinds {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}

	return kindNames[k]
}

// ParseKind returns the Kind named s ("token", "session", "subject", "device"
// or "workload").
func ParseKind(s string) (Kind, error) {
	for k := Token; k < numKinds; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}

	return 0, fmt.Errorf("%w: unknown kind %q", ErrInvalidEntry, s)
}

// MarshalText encodes k as its name.
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 || k >= numKinds {
		return nil, fmt.Errorf("%w: unknown kind %d", ErrInvalidEntry, uint8(k))
	}

	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	parsed, err := ParseKind(string(b))
	if err != nil {
		return err
	}

	*k = parsed

	return nil
}

// MaxValueLen is the longest Value an Entry may carry, in bytes.
const MaxValueLen = 2048

// ErrInvalidEntry is returned for an Entry that cannot be applied: an unknown
// kind, an empty or oversized value.
var ErrInvalidEntry = errors.New("revoke: invalid entry")

// Entry is one revocation: every principal whose facet Kind equals Value is
// refused until Expires.
type Entry struct {
	// Kind is the facet revoked.
	Kind Kind `json:"kind"`

	// Value is the jti, sid, subject, device ID or SPIFFE ID.
	Value string `json:"value"`

	// Expires is when the entry lapses. The zero time means the List's default
	// lifetime from the moment the entry is applied. An entry for a token
	// need not outlive the token.
	Expires time.Time `json:"expires"`

	// IssuedBefore, when set, limits the entry to credentials issued before
	// it (by the token's "iat"), so that a subject whose password changed, or
	// a device that fell out of compliance, can sign in again while every
	// older token stays refused. A principal without a token issue time is
	// refused. The zero time refuses every credential.
	IssuedBefore time.Time `json:"issued_before,omitzero"`

	// Reason is a stable reason code for the audit trail, for example
	// "caep.session_revoked"; it may be empty.
	Reason string `json:"reason,omitempty"`
}

// Validate reports whether e can be applied.
func (e Entry) Validate() error {
	switch {
	case e.Kind == 0 || e.Kind >= numKinds:
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidEntry, uint8(e.Kind))
	case e.Value == "":
		return fmt.Errorf("%w: empty %s value", ErrInvalidEntry, e.Kind)
	case len(e.Value) > MaxValueLen:
		return fmt.Errorf("%w: %s value longer than %d bytes",
			ErrInvalidEntry, e.Kind, MaxValueLen)
	case strings.ContainsRune(e.Value, 0):
		return fmt.Errorf("%w: %s value contains NUL", ErrInvalidEntry, e.Kind)
	}

	return nil
}
