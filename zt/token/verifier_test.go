package token_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "https://api.test"
)

// newVerifier returns a verifier of jwks's keys, adjusted by mutate.
func newVerifier(t *testing.T, jwks *tokentest.JWKS, mutate func(*token.VerifierConfig)) *token.Verifier {
	t.Helper()

	cfg := token.VerifierConfig{
		Issuer:   testIssuer,
		Audience: []string{testAudience},
		JWKSURL:  jwks.URL,
	}
	if mutate != nil {
		mutate(&cfg)
	}

	v, err := token.NewVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })

	return v
}

func claims(mutate func(map[string]any)) map[string]any {
	c := tokentest.Claims(testIssuer, testAudience, 5*time.Minute)
	if mutate != nil {
		mutate(c)
	}

	return c
}

// wantRefusal checks that err is a *zt.Error of kind and reason.
func wantRefusal(t *testing.T, err error, kind error, reason string) {
	t.Helper()

	var ze *zt.Error
	switch {
	case err == nil:
		t.Fatalf("accepted; want refusal %s", reason)
	case !errors.As(err, &ze):
		t.Fatalf("error %v is not a *zt.Error", err)
	case !errors.Is(err, kind):
		t.Fatalf("error %v is not of kind %v", err, kind)
	case ze.Reason != reason:
		t.Fatalf("reason %q, want %q (%v)", ze.Reason, reason, err)
	case kind == zt.ErrUnauthenticated && ze.Code != zt.CodeInvalidToken:
		t.Fatalf("code %q, want invalid_token", ze.Code)
	}
}

func TestVerifyAccepts(t *testing.T) {
	for _, alg := range []string{token.ES256, token.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			jwks := tokentest.NewJWKS(t, alg)
			v := newVerifier(t, jwks, nil)

			raw := jwks.Sign(t, "at+jwt", claims(func(c map[string]any) {
				c["sid"] = "session-1"
				c["scope"] = "read write"
				c["roles"] = []string{"admin"}
				c["amr"] = []string{"pwd", "otp"}
				c["cnf"] = map[string]any{"jkt": "thumb"}
				c["device_id"] = "device-1"
			}))

			p, err := v.Verify(t.Context(), raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}

			switch {
			case p.User == nil || p.User.ID != "user-1" || p.User.SessionID != "session-1":
				t.Errorf("user = %+v", p.User)
			case !p.User.HasScope("write") || !p.User.HasRole("admin"):
				t.Errorf("scopes/roles = %v %v", p.User.Scopes, p.User.Roles)
			case p.Token.Issuer != testIssuer || p.Token.ClientID != "client-1":
				t.Errorf("token = %+v", p.Token)
			case p.Token.Type != "at+jwt" || p.Token.ConfirmationJKT != "thumb":
				t.Errorf("token = %+v", p.Token)
			case p.Device == nil || p.Device.ID != "device-1":
				t.Errorf("device = %+v", p.Device)
			case p.Claims["sid"] != "session-1":
				t.Errorf("claims = %v", p.Claims)
			}
		})
	}
}

func TestVerifyWorkloadSubject(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, nil)

	raw := jwks.Sign(t, "at+jwt", claims(func(c map[string]any) {
		c["sub"] = "spiffe://example.org/backend"
	}))

	p, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}

	if p.User != nil || p.Workload == nil || p.Workload.TrustDomain != "example.org" {
		t.Fatalf("principal = %+v, workload %+v", p, p.Workload)
	}
}

func TestVerifyClaimRules(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, nil)
	now := time.Now()

	tests := []struct {
		name   string
		typ    string
		mutate func(map[string]any)
		reason string
	}{
		{"expired within leeway is fine", "at+jwt", func(c map[string]any) { c["exp"] = now.Add(-10 * time.Second).Unix() }, ""},
		{"no exp", "at+jwt", func(c map[string]any) { delete(c, "exp") }, token.ReasonMissingExpiry},
		{"exp as string", "at+jwt", func(c map[string]any) { c["exp"] = "tomorrow" }, token.ReasonBadClaims},
		{"nbf as string", "at+jwt", func(c map[string]any) { c["nbf"] = "later" }, token.ReasonBadClaims},
		{"no issuer", "at+jwt", func(c map[string]any) { delete(c, "iss") }, token.ReasonIssuer},
		{"audience list", "at+jwt", func(c map[string]any) { c["aud"] = []string{"x", testAudience} }, ""},
		{"audience of numbers", "at+jwt", func(c map[string]any) { c["aud"] = []int{1} }, token.ReasonBadClaims},
		{"no sub", "at+jwt", func(c map[string]any) { delete(c, "sub") }, token.ReasonBadClaims},
		{"no jti", "at+jwt", func(c map[string]any) { delete(c, "jti") }, token.ReasonBadClaims},
		{"sub not a string", "at+jwt", func(c map[string]any) { c["sub"] = 42 }, token.ReasonBadClaims},
		{"cnf not an object", "at+jwt", func(c map[string]any) { c["cnf"] = "jkt" }, token.ReasonBadClaims},
		{"typ with media prefix", "application/AT+JWT", nil, ""},
		{"SET where access token expected", "secevent+jwt", nil, token.ReasonType},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := jwks.Sign(t, tt.typ, claims(tt.mutate))
			_, err := v.Verify(t.Context(), raw)

			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}

			wantRefusal(t, err, zt.ErrUnauthenticated, tt.reason)
		})
	}
}

func TestVerifySecurityEventTokens(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.Types = []string{token.TypeSecurityEvent}
		c.RequiredClaims = []string{"iat", "jti"}
		c.ExpiryOptional = true
		c.MaxAge = 5 * time.Minute
	})

	set := map[string]any{
		"iss": testIssuer, "aud": testAudience, "iat": time.Now().Unix(), "jti": "set-1",
		"events": map[string]any{"https://schemas.openid.net/secevent/caep/event-type/session-revoked": map[string]any{}},
	}

	p, err := v.Verify(t.Context(), jwks.Sign(t, "secevent+jwt", set))
	if err != nil {
		t.Fatalf("SET: %v", err)
	}

	if p.Token.Type != "secevent+jwt" || p.Claims["events"] == nil {
		t.Fatalf("principal token = %+v", p.Token)
	}

	set["iat"] = time.Now().Add(-time.Hour).Unix()
	_, err = v.Verify(t.Context(), jwks.Sign(t, "secevent+jwt", set))
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonTooOld)

	_, err = v.Verify(t.Context(), jwks.Sign(t, "at+jwt", claims(nil)))
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonType)
}

func TestVerifierConfigErrors(t *testing.T) {
	keys := jwk.NewSet()

	tests := map[string]token.VerifierConfig{
		"no issuer":            {Audience: []string{"a"}, Keys: keys},
		"no audience":          {Issuer: "i", Keys: keys},
		"no keys":              {Issuer: "i", Audience: []string{"a"}},
		"both key sources":     {Issuer: "i", Audience: []string{"a"}, Keys: keys, JWKSURL: "http://127.0.0.1:1"},
		"no exp without limit": {Issuer: "i", Audience: []string{"a"}, Keys: keys, ExpiryOptional: true},
		"empty static set":     {Issuer: "i", Audience: []string{"a"}, Keys: keys},
	}

	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := token.NewVerifier(t.Context(), cfg); !errors.Is(err, token.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
		})
	}
}

func TestVerifyStaticKeys(t *testing.T) {
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}

	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}

	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		t.Fatal(err)
	}

	v, err := token.NewVerifier(t.Context(), token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, Keys: set,
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := v.Verify(t.Context(), tokentest.Sign(t, key, "at+jwt", claims(nil))); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	other, _ := token.GenerateKey(token.EdDSA)
	_, err = v.Verify(t.Context(), tokentest.Sign(t, other, "at+jwt", claims(nil)))
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonUnknownKey)
}

func TestVerifyRevocationAfterCache(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)

	var revoked atomic.Bool
	var calls atomic.Int64
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.Revocation = zt.RevocationCheckerFunc(func(_ context.Context, p *zt.Principal) error {
			calls.Add(1)
			if revoked.Load() && p.User.SessionID == "s1" {
				return zt.ErrRevoked
			}
			return nil
		})
	})

	raw := jwks.Sign(t, "at+jwt", claims(func(c map[string]any) { c["sid"] = "s1" }))
	for range 3 {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatal(err)
		}
	}

	revoked.Store(true)
	_, err := v.Verify(t.Context(), raw)
	wantRefusal(t, err, zt.ErrRevoked, token.ReasonRevoked)

	if calls.Load() != 4 {
		t.Fatalf("revocation consulted %d times, want 4", calls.Load())
	}
}

func TestVerifyRevocationUnknownFailsClosed(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.Revocation = zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error {
			return errors.New("redis down")
		})
	})

	_, err := v.Verify(t.Context(), jwks.Sign(t, "at+jwt", claims(nil)))
	wantRefusal(t, err, zt.ErrUnavailable, token.ReasonRevocationFailed)
}

func TestVerifyCacheExpiresWithToken(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)

	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.Now = func() time.Time { return *now.Load() }
		c.Leeway = -1
	})

	raw := jwks.Sign(t, "at+jwt", claims(func(c map[string]any) {
		c["exp"] = start.Add(time.Minute).Unix()
	}))
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}

	later := start.Add(2 * time.Minute)
	now.Store(&later)

	_, err := v.Verify(t.Context(), raw)
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonExpired)
}

func TestVerifyReturnsIndependentPrincipals(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, nil)
	raw := jwks.Sign(t, "at+jwt", claims(nil))

	p1, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	p1.User.ID = "mallory"
	p1.Workload = &zt.Workload{ID: "spiffe://x/y"}

	p2, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}

	if p2.User.ID != "user-1" || p2.Workload != nil {
		t.Fatalf("cached principal changed by a caller: %+v", p2.User)
	}
}

func TestVerifyMissingToken(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, nil)

	_, err := v.Verify(t.Context(), "")
	if !errors.Is(err, zt.ErrUnauthenticated) || zt.ReasonOf(err) != token.ReasonMissing ||
		zt.CodeOf(err) != "" {
		t.Fatalf("err = %v, want missing with no error code (RFC 6750 section 3.1)", err)
	}
}

func TestRemoteKeysRotation(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) { c.MinRefetchInterval = time.Nanosecond })

	old := jwks.Sign(t, "at+jwt", claims(nil))
	jwks.Rotate(t)
	fresh := jwks.Sign(t, "at+jwt", claims(nil))

	for _, raw := range []string{old, fresh} {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatalf("Verify after rotation: %v", err)
		}
	}

	if jwks.Hits() != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (start, unknown kid)", jwks.Hits())
	}
}

func TestRemoteKeysWithdrawnKeyDropsCache(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) { c.MinRefetchInterval = time.Nanosecond })

	oldKid := jwks.Key().KeyID()
	old := jwks.Sign(t, "at+jwt", claims(nil))
	if _, err := v.Verify(t.Context(), old); err != nil {
		t.Fatal(err)
	}

	jwks.Rotate(t)
	jwks.Drop(oldKid)

	// A token with the new key makes the verifier fetch the set without the
	// old key; the old key's cached token must stop working at once.
	if _, err := v.Verify(t.Context(), jwks.Sign(t, "at+jwt", claims(nil))); err != nil {
		t.Fatal(err)
	}

	_, err := v.Verify(t.Context(), old)
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonUnknownKey)
}

func TestRemoteKeysUnknownKidRateLimited(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) { c.MinRefetchInterval = time.Hour })

	attacker, _ := token.GenerateKey(token.ES256)
	for range 20 {
		_, err := v.Verify(t.Context(), tokentest.Sign(t, attacker, "at+jwt", claims(nil)))
		wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonUnknownKey)
	}

	if jwks.Hits() != 1 {
		t.Fatalf("JWKS fetched %d times, want 1: unknown kids must not force fetches", jwks.Hits())
	}
}

func TestRemoteKeysKeepLastGood(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.RefreshInterval = 10 * time.Millisecond
		c.CacheSize = -1
	})

	raw := jwks.Sign(t, "at+jwt", claims(nil))
	jwks.Fail(http.StatusInternalServerError)
	waitHits(t, jwks, 3)

	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("Verify while JWKS fails: %v", err)
	}

	jwks.Fail(0)
	jwks.SetBody([]byte(`{"keys":[]}`))
	waitHits(t, jwks, jwks.Hits()+2)

	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("Verify after an empty JWKS: %v", err)
	}
}

func waitHits(t *testing.T, jwks *tokentest.JWKS, n int) {
	t.Helper()

	deadline := time.Now().Add(30 * time.Second)
	for jwks.Hits() < n {
		if time.Now().After(deadline) {
			t.Fatalf("JWKS fetched %d times, waited for %d", jwks.Hits(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRemoteKeysStartFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*tokentest.JWKS)
		cfg   func(*token.VerifierConfig)
		want  error
	}{
		{"server error", func(j *tokentest.JWKS) { j.Fail(http.StatusBadGateway) }, nil, token.ErrKeysUnavailable},
		{"not JSON", func(j *tokentest.JWKS) { j.SetBody([]byte("<html>")) }, nil, token.ErrKeysUnavailable},
		{"no usable key", func(j *tokentest.JWKS) {
			j.SetBody([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`))
		}, nil, token.ErrKeysUnavailable},
		{
			"oversized",
			func(j *tokentest.JWKS) { j.SetBody([]byte(`{"keys":[],"pad":"` + strings.Repeat("a", 4096) + `"}`)) },
			func(c *token.VerifierConfig) { c.MaxJWKSSize = 1024 },
			token.ErrJWKSTooLarge,
		},
		{
			"timeout",
			func(j *tokentest.JWKS) { j.SetDelay(500 * time.Millisecond) },
			func(c *token.VerifierConfig) { c.FetchTimeout = 50 * time.Millisecond },
			context.DeadlineExceeded,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwks := tokentest.NewJWKS(t, token.ES256)
			tt.setup(jwks)

			cfg := token.VerifierConfig{Issuer: testIssuer, Audience: []string{testAudience}, JWKSURL: jwks.URL}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}

			_, err := token.NewVerifier(t.Context(), cfg)
			if !errors.Is(err, tt.want) || !errors.Is(err, token.ErrKeysUnavailable) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
