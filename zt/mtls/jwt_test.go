package mtls_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
)

type jwtIssuer struct {
	key *ecdsa.PrivateKey
	kid string
}

func newJWTIssuer(t *testing.T) *jwtIssuer {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	return &jwtIssuer{key: key, kid: "k1"}
}

func (i *jwtIssuer) bundle() *jwtbundle.Bundle {
	return jwtbundle.FromJWTAuthorities(td, map[string]crypto.PublicKey{i.kid: i.key.Public()})
}

func (i *jwtIssuer) mint(t *testing.T, sub string, aud []string, exp time.Time) string {
	t.Helper()

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: i.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", i.kid))
	if err != nil {
		t.Fatal(err)
	}

	raw, err := jwt.Signed(signer).Claims(jwt.Claims{
		Subject:  sub,
		Audience: aud,
		Expiry:   jwt.NewNumericDate(exp),
		ID:       "token-1",
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}

	return raw
}

func TestJWTVerifier(t *testing.T) {
	issuer := newJWTIssuer(t)
	stranger := newJWTIssuer(t)
	hour := time.Now().Add(time.Hour)
	aud := []string{"spiffe://example.org/backend"}

	v, err := mtls.NewJWTVerifier(mtls.JWTVerifierConfig{
		Bundles:    issuer.bundle(),
		Audience:   aud,
		Authorizer: mtls.AuthorizePathPrefix(td, "/web"),
		Revocation: revokedFor(spiffeIDOf(t, "spiffe://example.org/web/quarantined")),
	})
	if err != nil {
		t.Fatal(err)
	}

	p, err := v.Verify(context.Background(), issuer.mint(t, webID.String(), aud, hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.Workload.ID != webID.String() || p.Token.ID != "token-1" || p.Token.Type != "JWT-SVID" {
		t.Fatalf("principal %+v %+v", p.Workload, p.Token)
	}

	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"garbage", "not.a.jwt", mtls.ErrInvalidJWTSVID},
		{"unknown key", stranger.mint(t, webID.String(), aud, hour), mtls.ErrInvalidJWTSVID},
		{"expired", issuer.mint(t, webID.String(), aud, time.Now().Add(-time.Hour)),
			mtls.ErrInvalidJWTSVID},
		{"wrong audience", issuer.mint(t, webID.String(), []string{"other"}, hour),
			mtls.ErrInvalidJWTSVID},
		{"ID without path", issuer.mint(t, "spiffe://example.org", aud, hour),
			mtls.ErrInvalidJWTSVID},
		{"not authorized", issuer.mint(t, serverID.String(), aud, hour), zt.ErrForbidden},
		{"quarantined", issuer.mint(t, "spiffe://example.org/web/quarantined", aud, hour),
			mtls.ErrQuarantined},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), tc.raw); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewJWTVerifierRefusesIncompleteConfig(t *testing.T) {
	b := newJWTIssuer(t).bundle()
	for name, cfg := range map[string]mtls.JWTVerifierConfig{
		"no bundles":    {Audience: []string{"a"}, Authorizer: mtls.AuthorizeAny()},
		"no audience":   {Bundles: b, Authorizer: mtls.AuthorizeAny()},
		"no authorizer": {Bundles: b, Audience: []string{"a"}},
	} {
		if _, err := mtls.NewJWTVerifier(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
