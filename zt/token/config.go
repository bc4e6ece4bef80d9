package token

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
)

// Defaults applied by NewVerifier to the zero fields of a VerifierConfig.
const (
	DefaultLeeway             = 30 * time.Second
	DefaultMaxTokenSize       = 8 << 10
	DefaultCacheSize          = 10_000
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultMinRefetchInterval = 30 * time.Second
	DefaultFetchTimeout       = 10 * time.Second
	DefaultMaxJWKSSize        = 512 << 10
)

// TypeAccessToken is the "typ" of an RFC 9068 JWT access token.
const TypeAccessToken = "at+jwt"

// TypeSecurityEvent is the "typ" of an RFC 8417 Security Event Token.
const TypeSecurityEvent = "secevent+jwt"

// AccessTokenClaims are the claims RFC 9068 requires of an access token besides
// "iss", "exp" and "aud", which a Verifier always checks.
var AccessTokenClaims = []string{"sub", "client_id", "iat", "jti"}

// VerifierConfig configures a Verifier. Exactly one of Keys and JWKSURL must be
// set; Issuer and Audience are required. Every other zero field takes the
// default documented with it, and those defaults are the strict choice.
type VerifierConfig struct {
	// Issuer is the exact "iss" value tokens must carry. Required.
	Issuer string

	// Audience lists the identifiers of this service; a token's "aud" must
	// contain at least one of them. Required.
	Audience []string

	// Keys is a static key set. Each key is bound to its "alg" member or, when
	// that is absent, to the one algorithm its type and curve imply (RS256 for
	// RSA). Symmetric (HMAC) keys are accepted only here, and only with "alg".
	Keys jwk.Set

	// JWKSURL is where to fetch the key set. NewVerifier fetches it once and
	// fails when it cannot; the set is then refreshed every RefreshInterval,
	// and refetched (at most once per MinRefetchInterval) when a token names an
	// unknown key. A failed fetch keeps the last good set. Symmetric keys in a
	// fetched set are ignored.
	JWKSURL string

	// HTTPClient fetches JWKSURL. Nil means a new http.Client over
	// http.DefaultTransport. Every fetch is bounded by FetchTimeout.
	HTTPClient *http.Client

	// RefreshInterval is the longest time between background fetches of the
	// JWKS; a shorter Cache-Control max-age from the server shortens it, down
	// to MinRefetchInterval, and a failed fetch is retried after
	// MinRefetchInterval (at least a second). Zero means
	// DefaultRefreshInterval.
	RefreshInterval time.Duration

	// MinRefetchInterval is the shortest time between fetches: it rate
	// limits fetches caused by unknown key IDs, so that tokens with made-up
	// "kid" values cannot make the verifier hammer the JWKS endpoint, and
	// paces retries after a failure. Zero means DefaultMinRefetchInterval.
	MinRefetchInterval time.Duration

	// FetchTimeout bounds each JWKS fetch. Zero means DefaultFetchTimeout.
	FetchTimeout time.Duration

	// MaxJWKSSize bounds the JWKS response body in bytes. Zero means
	// DefaultMaxJWKSSize.
	MaxJWKSSize int64

	// Types lists the accepted "typ" header values, compared without case and
	// with an optional "application/" prefix. Nil means only "at+jwt", so that
	// an ID token ("JWT" or no "typ") cannot pass as an access token.
	Types []string

	// RequiredClaims lists claims that must be present besides "iss", "aud"
	// and "exp". Nil means AccessTokenClaims; an empty non-nil slice requires
	// nothing more.
	RequiredClaims []string

	// ExpiryOptional accepts tokens without "exp", such as Security Event
	// Tokens. It requires MaxAge, which then bounds a token's life from its
	// "iat". The zero value requires "exp".
	ExpiryOptional bool

	// MaxAge, when set, refuses tokens issued ("iat") longer ago than MaxAge
	// and makes "iat" required. Zero means no limit beyond "exp".
	MaxAge time.Duration

	// Leeway is the clock skew allowed for "exp", "nbf" and "iat". Zero means
	// DefaultLeeway; a negative value means none.
	Leeway time.Duration

	// MaxTokenSize refuses longer tokens before any decoding. Zero means
	// DefaultMaxTokenSize.
	MaxTokenSize int

	// CacheSize bounds the cache of verified tokens. Zero means
	// DefaultCacheSize; a negative value disables the cache.
	CacheSize int

	// Revocation, when set, is consulted on every verification, after the
	// cache, so that a revocation takes effect on the next request. Nil means
	// tokens are only checked for signature and claims.
	Revocation zt.RevocationChecker

	// Logger receives JWKS fetch failures. Nil means no logging. Tokens are
	// never logged.
	Logger *slog.Logger

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// ErrConfig is the cause of every configuration error from NewVerifier.
var ErrConfig = errors.New("token: invalid configuration")

// withDefaults validates c and returns a copy with every default applied.
func (c VerifierConfig) withDefaults() (VerifierConfig, error) {
	switch {
	case c.Issuer == "":
		return c, fmt.Errorf("%w: Issuer is required", ErrConfig)
	case len(c.Audience) == 0:
		return c, fmt.Errorf("%w: Audience is required", ErrConfig)
	case (c.Keys == nil) == (c.JWKSURL == ""):
		return c, fmt.Errorf("%w: set exactly one of Keys and JWKSURL", ErrConfig)
	case c.ExpiryOptional && c.MaxAge <= 0:
		return c, fmt.Errorf("%w: ExpiryOptional needs MaxAge", ErrConfig)
	}

	c.Types = normalizeTypes(c.Types)
	if c.RequiredClaims == nil {
		c.RequiredClaims = AccessTokenClaims
	}

	c.Leeway = orDefault(c.Leeway, DefaultLeeway)
	c.Leeway = max(c.Leeway, 0)
	c.MaxTokenSize = orDefault(c.MaxTokenSize, DefaultMaxTokenSize)
	c.CacheSize = orDefault(c.CacheSize, DefaultCacheSize)
	c.RefreshInterval = orDefault(c.RefreshInterval, DefaultRefreshInterval)
	c.MinRefetchInterval = orDefault(c.MinRefetchInterval, DefaultMinRefetchInterval)
	c.FetchTimeout = orDefault(c.FetchTimeout, DefaultFetchTimeout)
	c.MaxJWKSSize = orDefault(c.MaxJWKSSize, DefaultMaxJWKSSize)

	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}

	if c.Now == nil {
		c.Now = time.Now
	}

	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}

	return v
}

func normalizeTypes(types []string) []string {
	if types == nil {
		return []string{TypeAccessToken}
	}

	out := make([]string, len(types))
	for i, t := range types {
		out[i] = normalizeType(t)
	}

	return out
}

// normalizeType lower-cases a media type and drops an "application/" prefix,
// as RFC 7515 section 4.1.9 recommends.
func normalizeType(t string) string {
	t = strings.ToLower(t)
	return strings.TrimPrefix(t, "application/")
}
