package mtls

import (
	"context"
	"errors"
	"fmt"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"

	"github.com/ztkit/ztkit/zt"
)

// Reason codes for refused JWT-SVIDs.
const (
	ReasonInvalidJWTSVID = "mtls.invalid_jwt_svid"
)

// ErrInvalidJWTSVID means a JWT-SVID failed validation: a bad signature,
// an unknown key, a wrong audience, an expired token or a malformed
// subject.
var ErrInvalidJWTSVID = errors.New("mtls: invalid JWT-SVID")

// JWTVerifierConfig configures a JWTVerifier.
type JWTVerifierConfig struct {
	// Bundles holds the JWT authorities of the trusted trust domains, for
	// example a workloadapi.BundleSource or a jwtbundle.Set. Required.
	Bundles jwtbundle.Source
	// Audience lists the audiences this service answers to; a token must
	// name at least one of them. Required: go-spiffe skips the audience
	// check when it is empty, which would accept tokens minted for any
	// other service.
	Audience []string
	// Authorizer decides on the token's SPIFFE ID, like it does for mTLS
	// peers (the chains it receives are nil). Required: use AuthorizeAny to
	// allow every workload of the trusted trust domains.
	Authorizer Authorizer
	// Revocation, when set, refuses a token whose workload is quarantined.
	Revocation zt.RevocationChecker
}

// JWTVerifier validates JWT-SVIDs, for services that sit behind an L7
// proxy which terminates TLS and forwards the caller's JWT-SVID. Its Verify
// method has the shape that zt/middleware expects of a token verifier.
type JWTVerifier struct {
	cfg JWTVerifierConfig
}

// NewJWTVerifier checks cfg and returns a verifier.
func NewJWTVerifier(cfg JWTVerifierConfig) (*JWTVerifier, error) {
	switch {
	case cfg.Bundles == nil:
		return nil, errors.New("mtls: JWT verifier needs bundles")
	case len(cfg.Audience) == 0:
		return nil, errors.New("mtls: JWT verifier needs an audience")
	case cfg.Authorizer == nil:
		return nil, errors.New("mtls: JWT verifier needs an authorizer")
	}

	return &JWTVerifier{cfg: cfg}, nil
}

// Verify validates raw (signature against the bundle of the subject's trust
// domain, expiry, audience), applies the strict ParseID checks to its
// subject, authorizes it and checks the quarantine. It returns a Principal
// with the Workload and Token facets and the claims. Errors are *zt.Error
// values with the RFC 6750 code invalid_token.
func (v *JWTVerifier) Verify(ctx context.Context, raw string) (*zt.Principal, error) {
	svid, err := jwtsvid.ParseAndValidate(raw, v.cfg.Bundles, v.cfg.Audience)
	if err != nil {
		return nil, invalidJWT(err)
	}

	id, err := ParseID(svid.ID.String())
	if err != nil {
		return nil, invalidJWT(err)
	}

	if err := v.cfg.Authorizer(id, nil); err != nil {
		return nil, zt.NewError(zt.ErrForbidden, "", zt.ReasonWorkloadDenied, err)
	}

	if err := checkQuarantine(ctx, v.cfg.Revocation, id); err != nil {
		return nil, err
	}

	return &zt.Principal{
		Workload: workloadOf(id),
		Token:    tokenOf(svid),
		Claims:   svid.Claims,
	}, nil
}

func invalidJWT(err error) error {
	cause := fmt.Errorf("%w: %w", ErrInvalidJWTSVID, err)
	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, ReasonInvalidJWTSVID, cause)
}

func tokenOf(svid *jwtsvid.SVID) *zt.Token {
	tok := &zt.Token{
		Type:      "JWT-SVID",
		Audience:  svid.Audience,
		ExpiresAt: svid.Expiry,
	}

	if jti, ok := svid.Claims["jti"].(string); ok {
		tok.ID = jti
	}
	if iss, ok := svid.Claims["iss"].(string); ok {
		tok.Issuer = iss
	}

	return tok
}
