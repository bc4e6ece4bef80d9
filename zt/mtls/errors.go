package mtls

import (
	"errors"
	"fmt"

	"github.com/ztkit/ztkit/zt"
)

// Errors that explain why a peer was refused. The errors that this package
// returns for a refused peer are *zt.Error values whose Kind is
// zt.ErrUnauthenticated, zt.ErrForbidden or zt.ErrRevoked, and which also
// match one of these sentinels with errors.Is.
var (
	// ErrNoPeerCertificate means the peer presented no certificate.
	ErrNoPeerCertificate = errors.New("mtls: peer presented no certificate")
	// ErrInvalidSVID means the peer's certificate is not a well-formed
	// X.509-SVID: a CA as leaf, a missing digitalSignature key usage, zero
	// or several URI SANs, or a SPIFFE ID that is malformed, too long, has
	// no path, or hides characters behind percent-encoding.
	ErrInvalidSVID = errors.New("mtls: invalid X.509-SVID")
	// ErrInvalidID means a SPIFFE ID is malformed or is not a workload ID.
	ErrInvalidID = errors.New("mtls: invalid SPIFFE ID")
	// ErrExpired means the peer's SVID is past its NotAfter time.
	ErrExpired = errors.New("mtls: SVID expired")
	// ErrNotYetValid means the peer's SVID is before its NotBefore time.
	ErrNotYetValid = errors.New("mtls: SVID not yet valid")
	// ErrUntrusted means the peer's SVID does not chain to a trusted
	// authority of its trust domain, or that trust domain has no bundle.
	ErrUntrusted = errors.New("mtls: SVID not signed by a trusted authority")
	// ErrNotAuthorized means the peer's SVID is valid but the authorizer
	// refused its SPIFFE ID.
	ErrNotAuthorized = errors.New("mtls: peer not authorized")
	// ErrQuarantined means the peer's workload is on the deny list.
	ErrQuarantined = errors.New("mtls: workload quarantined")
)

// Reason codes that this package puts in a *zt.Error for the audit trail.
const (
	ReasonNoCertificate = "mtls.no_certificate"
	ReasonInvalidSVID   = "mtls.invalid_svid"
	ReasonExpired       = "mtls.expired"
	ReasonNotYetValid   = "mtls.not_yet_valid"
	ReasonUntrusted     = "mtls.untrusted"
	ReasonUnavailable   = "mtls.unavailable"
)

// refuse builds the *zt.Error for an unauthenticated peer, wrapping the
// sentinel and the detail.
func refuse(reason string, sentinel error, format string, args ...any) error {
	cause := fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
	return zt.NewError(zt.ErrUnauthenticated, "", reason, cause)
}
