// Package token verifies and issues the JSON Web Tokens that carry identity in
// ztkit: OAuth 2.0 access tokens in the RFC 9068 profile ("at+jwt"), refresh
// tokens, and DPoP proofs (RFC 9449) for sender-constrained tokens.
//
// A [Verifier] checks a compact JWS against a key set (a static [jwk.Set] or a JWKS
// URL that it keeps fresh in the background) and returns a [zt.Principal]. It is
// strict by default: the algorithm comes from the key, never from the token
// header; "iss", "aud" and "exp" are required; "nbf" and "iat" are checked with a
// small leeway; the "typ" header must name an accepted type so that an ID token
// cannot pass as an access token; "crit", "jku", "x5u", "x5c" and embedded "jwk"
// headers are refused; oversized tokens, duplicate JSON members and non-canonical
// base64 are refused before any signature check. Verified tokens are cached until
// they expire, and revocation is consulted on every call, after the cache.
//
// Every refusal is a [*zt.Error] whose Kind is [zt.ErrUnauthenticated],
// [zt.ErrRevoked] or [zt.ErrUnavailable], whose Code is the RFC 6750 error code
// for the caller, and whose Reason is one of the stable Reason* codes of this
// package for the operator.
//
// An [Issuer] signs access tokens with ES256 or EdDSA, rotates its keys with an
// overlap (a key is published before it signs and stays published until its last
// token expires), and serves its public keys as a JWKS [net/http.Handler].
// [RefreshTokens] issues opaque refresh tokens with rotation and reuse detection.
// A [DPoPVerifier] checks DPoP proofs and their binding to an access token.
//
// At the HTTP edge, an [Authenticator] reads the Authorization and DPoP
// headers, verifies the token and, for a token bound to a key ("cnf.jkt"),
// its proof; [StatusCode] and [Challenge] turn a refusal into the RFC 6750
// status and WWW-Authenticate header. [Decode] splits a token without
// verifying it, for diagnostics. Package tokentest serves a rotating JWKS over
// real HTTP for tests.
//
// The verification hot path does not go through jwx's generic parser: it splits
// the compact serialization itself, decodes the header into a small struct, looks
// the key up by "kid", verifies the signature with crypto/ecdsa, crypto/ed25519,
// crypto/rsa or crypto/hmac directly, and only then decodes the claims. jwx is
// used for JWK and JWKS handling and for signing.
package token
