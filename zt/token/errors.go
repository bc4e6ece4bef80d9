package token

import (
	"errors"
	"fmt"

	"github.com/ztkit/ztkit/zt"
)

// Reason codes put in [zt.Error.Reason] by this package. They are stable and meant
// for operators and the audit trail, never for the caller.
const (
	ReasonMalformed         = "token.malformed"
	ReasonOversized         = "token.oversized"
	ReasonEncrypted         = "token.encrypted"
	ReasonBadHeader         = "token.bad_header"
	ReasonAlgorithm         = "token.algorithm"
	ReasonCritical          = "token.crit"
	ReasonKeyHeader         = "token.key_header"
	ReasonType              = "token.type"
	ReasonUnknownKey        = "token.unknown_key"
	ReasonSignature         = "token.signature"
	ReasonBadClaims         = "token.bad_claims"
	ReasonIssuer            = "token.issuer"
	ReasonAudience          = "token.audience"
	ReasonExpired           = "token.expired"
	ReasonMissingExpiry     = "token.missing_exp"
	ReasonNotYetValid       = "token.not_yet_valid"
	ReasonIssuedInFuture    = "token.iat_future"
	ReasonTooOld            = "token.too_old"
	ReasonRevoked           = "token.revoked"
	ReasonRevocationFailed  = "token.revocation_unavailable"
	ReasonKeysUnavailable   = "token.keys_unavailable"
	ReasonMissing           = "token.missing"
	ReasonInsufficientScope = "token.insufficient_scope"
)

// Sentinel causes carried in [zt.Error.Err], so that callers and tests can tell
// refusals apart with errors.Is without comparing reason strings.
var (
	ErrMalformed       = errors.New("token: malformed token")
	ErrOversized       = errors.New("token: token too large")
	ErrAlgorithm       = errors.New("token: algorithm not allowed for key")
	ErrUnknownKey      = errors.New("token: no key for token")
	ErrSignature       = errors.New("token: invalid signature")
	ErrExpired         = errors.New("token: expired")
	ErrNotYetValid     = errors.New("token: not yet valid")
	ErrIssuer          = errors.New("token: wrong issuer")
	ErrAudience        = errors.New("token: wrong audience")
	ErrType            = errors.New("token: wrong token type")
	ErrKeysUnavailable = errors.New("token: key set unavailable")
	ErrDPoPRequired    = errors.New("token: DPoP proof required")
)

// invalid returns an unauthenticated refusal with the RFC 6750 code invalid_token.
func invalid(reason string, cause error) *zt.Error {
	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, reason, cause)
}

// invalidf is invalid with a formatted cause wrapping sentinel.
func invalidf(reason string, sentinel error, format string, args ...any) *zt.Error {
	return invalid(reason, fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...))
}

// unavailable returns a refusal that fails closed because a dependency could not
// answer.
func unavailable(reason string, cause error) *zt.Error {
	return zt.NewError(zt.ErrUnavailable, "", reason, cause)
}
