package token_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// TestVerifyAlgorithms signs with jwx for every algorithm a key may carry and
// verifies with the Verifier's own signature path.
func TestVerifyAlgorithms(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	raw := map[string]any{
		"ES256": ecKey(t, elliptic.P256()), "ES384": ecKey(t, elliptic.P384()),
		"ES512": ecKey(t, elliptic.P521()),
		"RS256": rsaKey, "RS384": rsaKey, "RS512": rsaKey,
		"PS256": rsaKey, "PS384": rsaKey, "PS512": rsaKey,
		"HS256": []byte("0123456789abcdef0123456789abcdef"),
		"HS384": []byte("0123456789abcdef0123456789abcdef0123456789abcdef"),
		"HS512": []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	}

	for alg, k := range raw {
		t.Run(alg, func(t *testing.T) {
			key := jwkFor(t, k, alg)
			v, err := token.NewVerifier(t.Context(), staticConfig(publicSet(t, key)))
			if err != nil {
				t.Fatal(err)
			}

			if _, err := v.Verify(t.Context(), tokentest.Sign(t, key, "at+jwt", claims(nil))); err != nil {
				t.Fatalf("Verify: %v", err)
			}

			other := jwkFor(t, raw[otherOf(alg)], otherOf(alg))
			_ = other.Set(jwk.KeyIDKey, key.KeyID())
			_, err = v.Verify(t.Context(), tokentest.Sign(t, other, "at+jwt", claims(nil)))
			if !errors.Is(err, zt.ErrUnauthenticated) {
				t.Fatalf("token of another algorithm under the same kid: %v", err)
			}
		})
	}
}

// otherOf names an algorithm of another family, for a confusion check.
func otherOf(alg string) string {
	if alg[0] == 'H' {
		return "ES256"
	}

	return "HS256"
}

func ecKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()

	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	return k
}

func jwkFor(t *testing.T, raw any, alg string) jwk.Key {
	t.Helper()

	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}

	_ = key.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(alg))
	_ = key.Set(jwk.KeyIDKey, "k-"+alg)

	return key
}

// publicSet returns a set with key's public part (the key itself when it is
// symmetric).
func publicSet(t *testing.T, key jwk.Key) jwk.Set {
	t.Helper()

	pub := key
	if key.KeyType() != "oct" {
		var err error
		if pub, err = key.PublicKey(); err != nil {
			t.Fatal(err)
		}
	}

	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		t.Fatal(err)
	}

	return set
}

// TestSymmetricKeysNeedAlgAndStaticSet checks that an HMAC key without "alg"
// is never usable, and that a fetched JWKS cannot introduce one.
func TestSymmetricKeysNeedAlgAndStaticSet(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")

	noAlg, _ := jwk.FromRaw(secret)
	_ = noAlg.Set(jwk.KeyIDKey, "k")
	_, err := token.NewVerifier(t.Context(), staticConfig(publicSet(t, noAlg)))
	if !errors.Is(err, token.ErrConfig) {
		t.Fatalf("oct key without alg: %v", err)
	}

	short := jwkFor(t, []byte("short"), "HS256")
	_, err = token.NewVerifier(t.Context(), staticConfig(publicSet(t, short)))
	if !errors.Is(err, token.ErrConfig) {
		t.Fatalf("HS256 key shorter than its hash: %v", err)
	}

	jwks := tokentest.NewJWKS(t, token.ES256)
	jwks.SetBody([]byte(`{"keys":[{"kty":"oct","alg":"HS256","kid":"k",` +
		`"k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}`))

	cfg := token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, JWKSURL: jwks.URL,
	}
	if _, err := token.NewVerifier(t.Context(), cfg); !errors.Is(err, token.ErrKeysUnavailable) {
		t.Fatalf("HS256 key in a fetched JWKS: %v", err)
	}
}
