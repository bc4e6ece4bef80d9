package token_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

const uploadURL = "https://api.test/v1/uploads"

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()

	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}

	return u
}

func deviceKey(t *testing.T, alg string) (jwk.Key, string) {
	t.Helper()

	key, err := token.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}

	jkt, err := token.Thumbprint(key)
	if err != nil {
		t.Fatal(err)
	}

	return key, jkt
}

func uploadRequest(t *testing.T, accessToken, jkt string) token.DPoPRequest {
	t.Helper()

	return token.DPoPRequest{
		Method: "POST", URL: mustURL(t, uploadURL), AccessToken: accessToken, JKT: jkt,
	}
}

func proofClaims(mutate func(map[string]any)) map[string]any {
	sum := sha256.Sum256([]byte("the-access-token"))
	c := map[string]any{
		"jti": token.NewID(),
		"htm": "POST",
		"htu": uploadURL,
		"iat": time.Now().Unix(),
		"ath": base64.RawURLEncoding.EncodeToString(sum[:]),
	}
	if mutate != nil {
		mutate(c)
	}

	return c
}

func TestDPoPProofs(t *testing.T) {
	key, jkt := deviceKey(t, token.ES256)
	other, _ := deviceKey(t, token.EdDSA)
	now := time.Now()

	tests := []struct {
		name   string
		proof  func(t *testing.T) string
		req    token.DPoPRequest
		reason string
	}{
		{"valid", nil, token.DPoPRequest{}, ""},
		{"query and fragment ignored", nil, token.DPoPRequest{URL: mustURL(t, uploadURL+"?a=1#f")}, ""},
		{"default port and host case", nil, token.DPoPRequest{URL: mustURL(t, "https://API.test:443/v1/uploads")}, ""},
		{"wrong method", nil, token.DPoPRequest{Method: "GET"}, token.ReasonDPoPMethod},
		{"wrong path", nil, token.DPoPRequest{URL: mustURL(t, "https://api.test/v1/admin")}, token.ReasonDPoPURL},
		{"wrong host", nil, token.DPoPRequest{URL: mustURL(t, "https://evil.test/v1/uploads")}, token.ReasonDPoPURL},
		{"wrong scheme", nil, token.DPoPRequest{URL: mustURL(t, "http://api.test/v1/uploads")}, token.ReasonDPoPURL},
		{"other access token", nil, token.DPoPRequest{AccessToken: "another-token"}, token.ReasonDPoPATHash},
		{"key not bound to token", func(t *testing.T) string {
			return tokentest.SignProof(t, other, proofClaims(nil))
		}, token.DPoPRequest{}, token.ReasonDPoPBinding},
		{"too old", func(t *testing.T) string {
			return tokentest.SignProof(t, key, proofClaims(func(c map[string]any) {
				c["iat"] = now.Add(-5 * time.Minute).Unix()
			}))
		}, token.DPoPRequest{}, token.ReasonDPoPTime},
		{"from the future", func(t *testing.T) string {
			return tokentest.SignProof(t, key, proofClaims(func(c map[string]any) {
				c["iat"] = now.Add(time.Minute).Unix()
			}))
		}, token.DPoPRequest{}, token.ReasonDPoPTime},
		{"no iat", func(t *testing.T) string {
			return tokentest.SignProof(t, key, proofClaims(func(c map[string]any) { delete(c, "iat") }))
		}, token.DPoPRequest{}, token.ReasonDPoPTime},
		{"no jti", func(t *testing.T) string {
			return tokentest.SignProof(t, key, proofClaims(func(c map[string]any) { delete(c, "jti") }))
		}, token.DPoPRequest{}, token.ReasonDPoPInvalid},
		{"no ath", func(t *testing.T) string {
			return tokentest.SignProof(t, key, proofClaims(func(c map[string]any) { delete(c, "ath") }))
		}, token.DPoPRequest{}, token.ReasonDPoPATHash},
		{"access token as proof", func(t *testing.T) string {
			return tokentest.Sign(t, key, "at+jwt", proofClaims(nil))
		}, token.DPoPRequest{}, token.ReasonDPoPInvalid},
		{"private key in header", func(t *testing.T) string {
			return forge(t, key, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+string(mustJSON(t, key))+`}`,
				string(mustJSON(t, proofClaims(nil))))
		}, token.DPoPRequest{}, token.ReasonDPoPInvalid},
		{"missing proof", func(*testing.T) string { return "" }, token.DPoPRequest{}, token.ReasonDPoPMissing},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := token.NewDPoPVerifier(token.DPoPConfig{})
			if err != nil {
				t.Fatal(err)
			}

			proof := tokentest.SignProof(t, key, proofClaims(nil))
			if tt.proof != nil {
				proof = tt.proof(t)
			}

			req := uploadRequest(t, "the-access-token", jkt)
			if tt.req.Method != "" {
				req.Method = tt.req.Method
			}
			if tt.req.URL != nil {
				req.URL = tt.req.URL
			}
			if tt.req.AccessToken != "" {
				req.AccessToken = tt.req.AccessToken
			}

			got, err := d.Verify(t.Context(), proof, req)
			if tt.reason == "" {
				if err != nil || got.JKT != jkt {
					t.Fatalf("Verify = %+v, %v", got, err)
				}
				return
			}

			if zt.ReasonOf(err) != tt.reason || zt.CodeOf(err) != token.CodeInvalidDPoPProof {
				t.Fatalf("err = %v, want reason %s", err, tt.reason)
			}
		})
	}
}

func TestDPoPReplay(t *testing.T) {
	key, jkt := deviceKey(t, token.EdDSA)
	d, _ := token.NewDPoPVerifier(token.DPoPConfig{})

	proof := tokentest.DPoPProof(t, key, "POST", uploadURL, "the-access-token")
	req := uploadRequest(t, "the-access-token", jkt)

	if _, err := d.Verify(t.Context(), proof, req); err != nil {
		t.Fatal(err)
	}

	_, err := d.Verify(t.Context(), proof, req)
	if zt.ReasonOf(err) != token.ReasonDPoPReplay {
		t.Fatalf("replayed proof: %v", err)
	}
}

func TestDPoPReplayCacheFullFailsClosed(t *testing.T) {
	key, jkt := deviceKey(t, token.ES256)
	d, _ := token.NewDPoPVerifier(token.DPoPConfig{Replay: token.NewMemoryReplayCache(2)})
	req := uploadRequest(t, "", jkt)

	for i := range 3 {
		_, err := d.Verify(t.Context(), tokentest.DPoPProof(t, key, "POST", uploadURL, ""), req)
		if i < 2 && err != nil {
			t.Fatal(err)
		}

		if i == 2 && zt.ReasonOf(err) != token.ReasonDPoPReplayDB {
			t.Fatalf("full cache: %v", err)
		}
	}
}

func TestDPoPConfigRefusesSymmetric(t *testing.T) {
	if _, err := token.NewDPoPVerifier(token.DPoPConfig{Algorithms: []string{"HS256"}}); err == nil {
		t.Fatal("HS256 accepted for DPoP")
	}
}

// TestAuthenticator runs the HTTP flows of bearer and DPoP-bound tokens.
func TestAuthenticator(t *testing.T) {
	clk := newClock()
	iss, jwksURL := newIssuer(t, token.ES256, clk)
	v := issuerVerifier(t, jwksURL, clk, nil)

	d, _ := token.NewDPoPVerifier(token.DPoPConfig{})
	key, jkt := deviceKey(t, token.ES256)

	issue := func(jkt string) string {
		at := token.AccessToken{Subject: "dev-owner", ClientID: "zerosms", ConfirmationJKT: jkt}
		raw, err := iss.Issue(t.Context(), at)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	bound, bearer := issue(jkt), issue("")

	tests := []struct {
		name        string
		header      map[string][]string
		requireDPoP bool
		status      int
		reason      string
	}{
		{"bearer", map[string][]string{"Authorization": {"Bearer " + bearer}}, false, 200, ""},
		{"bearer scheme any case", map[string][]string{"Authorization": {"bearer " + bearer}}, false, 200, ""},
		{"no credentials", nil, false, 401, token.ReasonMissing},
		{"two Authorization headers", map[string][]string{"Authorization": {"Bearer " + bearer, "Bearer " + bearer}}, false, 400, token.ReasonBadAuthorization},
		{"Basic scheme", map[string][]string{"Authorization": {"Basic dXNlcjpwYXNz"}}, false, 401, token.ReasonMissing},
		{"not token68", map[string][]string{"Authorization": {"Bearer a b"}}, false, 400, token.ReasonBadAuthorization},
		{"bearer where DPoP required", map[string][]string{"Authorization": {"Bearer " + bearer}}, true, 401, token.ReasonDPoPRequired},
		{"DPoP-bound token as bearer", map[string][]string{"Authorization": {"Bearer " + bound}}, false, 401, token.ReasonDPoPRequired},
		{"DPoP-bound token without proof", map[string][]string{"Authorization": {"DPoP " + bound}}, false, 401, token.ReasonDPoPMissing},
		{"DPoP scheme with bearer token", map[string][]string{
			"Authorization": {"DPoP " + bearer},
			"Dpop":          {tokentest.DPoPProof(t, key, "POST", "http://api.test/v1/uploads", bearer)},
		}, false, 401, token.ReasonDPoPUnbound},
		{"DPoP", map[string][]string{
			"Authorization": {"DPoP " + bound},
			"Dpop":          {tokentest.DPoPProof(t, key, "POST", "http://api.test/v1/uploads", bound)},
		}, true, 200, ""},
		{"DPoP proof for another URL", map[string][]string{
			"Authorization": {"DPoP " + bound},
			"Dpop":          {tokentest.DPoPProof(t, key, "POST", "http://api.test/v1/other", bound)},
		}, false, 401, token.ReasonDPoPURL},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &token.Authenticator{Verifier: v, DPoP: d, RequireDPoP: tt.requireDPoP}
			r := httptest.NewRequestWithContext(context.Background(), "POST", "http://api.test/v1/uploads", nil)
			for k, vs := range tt.header {
				r.Header[http.CanonicalHeaderKey(k)] = vs
			}

			p, err := a.Authenticate(r)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if tt.name == "DPoP" && p.Device.KeyThumbprint != jkt {
					t.Fatalf("device = %+v", p.Device)
				}
				return
			}

			if zt.ReasonOf(err) != tt.reason || token.StatusCode(err) != tt.status {
				t.Fatalf("err = %v (status %d), want %s / %d", err, token.StatusCode(err), tt.reason, tt.status)
			}
		})
	}
}

func TestChallenge(t *testing.T) {
	tests := []struct {
		name string
		err  error
		algs []string
		want string
	}{
		{"no credentials", zt.NewError(zt.ErrUnauthenticated, "", token.ReasonMissing, nil), nil, `Bearer realm="api"`},
		{"invalid token", zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, token.ReasonExpired, nil), nil,
			`Bearer realm="api", error="invalid_token"`},
		{"scope", token.RequireScopes(&zt.Principal{User: &zt.User{}}, "admin"), nil,
			`Bearer realm="api", error="insufficient_scope"`},
		{"DPoP", zt.NewError(zt.ErrUnauthenticated, token.CodeInvalidDPoPProof, token.ReasonDPoPReplay, nil), []string{"ES256", "EdDSA"},
			`Bearer realm="api", DPoP algs="ES256 EdDSA", error="invalid_dpop_proof"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := token.Challenge("api", tt.err, tt.algs...); got != tt.want {
				t.Fatalf("Challenge = %s, want %s", got, tt.want)
			}
		})
	}

	if token.StatusCode(token.RequireScopes(nil, "x")) != http.StatusForbidden {
		t.Fatal("insufficient scope is not 403")
	}
}
