package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// clock is a settable time source for tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newIssuer(t *testing.T, alg string, clk *clock) (*token.Issuer, string) {
	t.Helper()

	iss, err := token.NewIssuer(token.IssuerConfig{
		Issuer:      testIssuer,
		Audience:    []string{testAudience},
		Algorithm:   alg,
		TTL:         5 * time.Minute,
		PublishLead: 10 * time.Minute,
		Now:         clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(iss.JWKSHandler())
	t.Cleanup(srv.Close)

	return iss, srv.URL
}

// issuerVerifier returns a verifier of the JWKS at url on clk's time,
// adjusted by mutate.
func issuerVerifier(t *testing.T, url string, clk *clock, mutate func(*token.VerifierConfig)) *token.Verifier {
	t.Helper()

	cfg := token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, JWKSURL: url, Now: clk.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}

	v, err := token.NewVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })

	return v
}

func TestIssuerRoundTrip(t *testing.T) {
	for _, alg := range []string{token.ES256, token.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			clk := newClock()
			iss, url := newIssuer(t, alg, clk)

			v := issuerVerifier(t, url, clk, nil)

			raw, err := iss.Issue(t.Context(), token.AccessToken{
				Subject: "alice", ClientID: "web", Scopes: []string{"tx:read"},
				Roles: []string{"user"}, SessionID: "s-1", AuthTime: clk.Now(),
				AuthMethods: []string{"pwd"}, ConfirmationJKT: "jkt-1",
				Extra: map[string]any{"tenant": "t1"},
			})
			if err != nil {
				t.Fatal(err)
			}

			p, err := v.Verify(t.Context(), raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}

			if p.User.ID != "alice" || !p.User.HasScope("tx:read") || p.Token.ID == "" ||
				p.Token.ConfirmationJKT != "jkt-1" || p.Claims["tenant"] != "t1" {
				t.Fatalf("principal = %+v %+v", p.User, p.Token)
			}

			if got := p.Token.ExpiresAt.Sub(p.Token.IssuedAt); got != 5*time.Minute {
				t.Fatalf("lifetime %s, want 5m", got)
			}
		})
	}
}

func TestIssuerRefusesBadAccessTokens(t *testing.T) {
	iss, _ := newIssuer(t, token.ES256, newClock())

	tests := map[string]token.AccessToken{
		"no subject":     {ClientID: "c"},
		"no client":      {Subject: "s"},
		"TTL too long":   {Subject: "s", ClientID: "c", TTL: time.Hour},
		"reserved extra": {Subject: "s", ClientID: "c", Extra: map[string]any{"iss": "x"}},
		"empty audience": {Subject: "s", ClientID: "c", Audience: []string{}},
	}

	for name, at := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := iss.Issue(t.Context(), at); err == nil {
				t.Fatal("issued")
			}
		})
	}
}

// TestIssuerRotationOverlap walks a key rotation on a clock: the new key is
// published before it signs, and the old key stays published until its last
// token has expired.
func TestIssuerRotationOverlap(t *testing.T) {
	clk := newClock()
	iss, _ := newIssuer(t, token.ES256, clk)

	published := func() []string {
		set, err := iss.PublicKeys()
		if err != nil {
			t.Fatal(err)
		}

		var kids []string
		for i := range set.Len() {
			k, _ := set.Key(i)
			kids = append(kids, k.KeyID())
		}

		return kids
	}

	signedBy := func() string {
		raw, err := iss.Issue(t.Context(), token.AccessToken{Subject: "s", ClientID: "c"})
		if err != nil {
			t.Fatal(err)
		}

		return kidOf(t, raw)
	}

	oldKid := signedBy()
	newKid, err := iss.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	if got := published(); len(got) != 2 {
		t.Fatalf("after Rotate published %v, want old and new", got)
	}

	if signedBy() != oldKid {
		t.Fatal("new key signs before its publish lead")
	}

	clk.Advance(10 * time.Minute)
	if signedBy() != newKid {
		t.Fatal("new key does not sign after its publish lead")
	}

	clk.Advance(4 * time.Minute)
	if got := published(); len(got) != 2 {
		t.Fatalf("old key withdrawn while its tokens live: %v", got)
	}

	clk.Advance(2 * time.Minute)
	if got := published(); len(got) != 1 || got[0] != newKid {
		t.Fatalf("after the old key's last token expired, published %v", got)
	}
}

func kidOf(t *testing.T, raw string) string {
	t.Helper()

	msg, err := jws.ParseString(raw)
	if err != nil {
		t.Fatal(err)
	}

	return msg.Signatures()[0].ProtectedHeaders().KeyID()
}

func TestJWKSHandlerHeaders(t *testing.T) {
	_, url := newIssuer(t, token.EdDSA, newClock())

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Cache-Control") != "public, max-age=300" || etag == "" {
		t.Fatalf("headers = %v", resp.Header)
	}

	if resp.Header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("content type = %q", resp.Header.Get("Content-Type"))
	}

	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET status %d, want 304", resp.StatusCode)
	}

	resp, err = http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST status %d, want 405", resp.StatusCode)
	}
}

func TestIssuerPublishesNoPrivateKey(t *testing.T) {
	_, url := newIssuer(t, token.ES256, newClock())

	set, err := jwk.Fetch(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}

	k, _ := set.Key(0)
	if private, _ := jwk.IsPrivateKey(k); private {
		t.Fatal("JWKS publishes a private key")
	}
}

func TestIssuedTokenRefusedAfterExpiry(t *testing.T) {
	clk := newClock()
	iss, url := newIssuer(t, token.ES256, clk)

	v := issuerVerifier(t, url, clk, nil)

	raw, err := iss.Issue(t.Context(), token.AccessToken{Subject: "s", ClientID: "c", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(2 * time.Minute)
	_, err = v.Verify(t.Context(), raw)
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonExpired)
}

func TestIssuerKeyErrors(t *testing.T) {
	priv, err := token.GenerateKey(token.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := priv.PublicKey()

	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaJWK, _ := jwk.FromRaw(rsaKey)
	_ = rsaJWK.Set(jwk.AlgorithmKey, "RS256")

	tests := map[string]struct {
		cfg  token.IssuerConfig
		want error
	}{
		"no issuer":       {token.IssuerConfig{Key: priv}, token.ErrConfig},
		"public key":      {token.IssuerConfig{Issuer: testIssuer, Key: pub}, nil},
		"RSA key":         {token.IssuerConfig{Issuer: testIssuer, Key: rsaJWK}, token.ErrAlgorithmUnsupported},
		"HS256 algorithm": {token.IssuerConfig{Issuer: testIssuer, Algorithm: "HS256"}, token.ErrAlgorithmUnsupported},
	}

	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := token.NewIssuer(tt.cfg)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("NewIssuer = %v, want %v", err, tt.want)
			}
		})
	}

	iss, err := token.NewIssuer(token.IssuerConfig{Issuer: testIssuer, Key: priv})
	if err != nil {
		t.Fatal(err)
	}

	if iss.TTL() != token.DefaultAccessTokenTTL {
		t.Fatalf("TTL = %s", iss.TTL())
	}

	if err := iss.AddKey(priv, time.Now()); err == nil {
		t.Fatal("AddKey accepted a key the issuer already has")
	}
}

// TestIssuerSignsSecurityEvents checks Sign with another "typ", as a CAEP
// transmitter would use it.
func TestIssuerSignsSecurityEvents(t *testing.T) {
	clk := newClock()
	iss, url := newIssuer(t, token.EdDSA, clk)

	v := issuerVerifier(t, url, clk, func(c *token.VerifierConfig) {
		c.Types = []string{token.TypeSecurityEvent}
		c.RequiredClaims = []string{"iat", "jti"}
		c.ExpiryOptional, c.MaxAge = true, time.Minute
	})

	raw, err := iss.Sign(t.Context(), token.TypeSecurityEvent, map[string]any{
		"iss": testIssuer, "aud": testAudience, "iat": clk.Now().Unix(), "jti": token.NewID(),
		"events": map[string]any{"urn:example:event": map[string]any{}},
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("Verify SET: %v", err)
	}
}
