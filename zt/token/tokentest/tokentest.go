// Package tokentest provides test helpers for code that verifies tokens: a JWKS
// server over real HTTP whose keys can rotate and which fails on demand, and
// signing of arbitrary claims with its keys.
package tokentest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/ztkit/ztkit/zt/token"
)

// JWKS is a JWK Set server on loopback. Its zero value is not usable; create
// one with NewJWKS.
type JWKS struct {
	// URL is the address of the key set.
	URL string

	srv  *httptest.Server
	alg  string
	hits atomic.Int64

	mu     sync.Mutex
	keys   []jwk.Key // private keys, newest last
	status int       // non-zero: answer with this status
	body   []byte    // non-nil: answer with this body
	delay  time.Duration
	cache  string // Cache-Control header value
}

// NewJWKS starts a JWKS server with one new key for alg (token.ES256 or
// token.EdDSA) and stops it when the test ends.
func NewJWKS(tb testing.TB, alg string) *JWKS {
	tb.Helper()

	j := &JWKS{alg: alg}
	j.Rotate(tb)

	j.srv = httptest.NewServer(http.HandlerFunc(j.serve))
	j.URL = j.srv.URL + "/.well-known/jwks.json"
	tb.Cleanup(j.srv.Close)

	return j
}

func (j *JWKS) serve(w http.ResponseWriter, _ *http.Request) {
	j.hits.Add(1)

	j.mu.Lock()
	status, body, delay, cache := j.status, j.body, j.delay, j.cache
	set := jwk.NewSet()
	for _, k := range j.keys {
		pub, _ := k.PublicKey()
		_ = set.AddKey(pub)
	}
	j.mu.Unlock()

	if delay > 0 {
		time.Sleep(delay)
	}

	if status != 0 {
		http.Error(w, "failing on purpose", status)
		return
	}

	if body == nil {
		body, _ = json.Marshal(set)
	}

	w.Header().Set("Content-Type", "application/jwk-set+json")
	if cache != "" {
		w.Header().Set("Cache-Control", cache)
	}
	_, _ = w.Write(body)
}

// Rotate adds a new key, which becomes the one Sign uses, and returns it. Older
// keys stay published until Drop.
func (j *JWKS) Rotate(tb testing.TB) jwk.Key {
	tb.Helper()

	k, err := token.GenerateKey(j.alg)
	if err != nil {
		tb.Fatal(err)
	}

	j.mu.Lock()
	j.keys = append(j.keys, k)
	j.mu.Unlock()

	return k
}

// Drop stops publishing the key with the given ID.
func (j *JWKS) Drop(kid string) {
	j.mu.Lock()
	defer j.mu.Unlock()

	kept := j.keys[:0]
	for _, k := range j.keys {
		if k.KeyID() != kid {
			kept = append(kept, k)
		}
	}
	j.keys = kept
}

// Key returns the newest private key.
func (j *JWKS) Key() jwk.Key {
	j.mu.Lock()
	defer j.mu.Unlock()

	return j.keys[len(j.keys)-1]
}

// Fail makes the server answer every request with status; zero restores
// normal service.
func (j *JWKS) Fail(status int) {
	j.mu.Lock()
	j.status = status
	j.mu.Unlock()
}

// SetBody makes the server answer with body instead of its key set; nil
// restores the key set.
func (j *JWKS) SetBody(body []byte) {
	j.mu.Lock()
	j.body = body
	j.mu.Unlock()
}

// SetCacheControl makes the server send a Cache-Control header with value;
// empty sends none.
func (j *JWKS) SetCacheControl(value string) {
	j.mu.Lock()
	j.cache = value
	j.mu.Unlock()
}

// SetDelay makes the server wait d before answering.
func (j *JWKS) SetDelay(d time.Duration) {
	j.mu.Lock()
	j.delay = d
	j.mu.Unlock()
}

// Hits returns the number of requests served so far.
func (j *JWKS) Hits() int {
	return int(j.hits.Load())
}

// Sign signs claims with the newest key and the given "typ" header.
func (j *JWKS) Sign(tb testing.TB, typ string, claims any) string {
	tb.Helper()

	return Sign(tb, j.Key(), typ, claims)
}

// Sign signs claims as a compact JWS with key, its "alg" and "kid", and the
// given "typ" header (omitted when empty).
func Sign(tb testing.TB, key jwk.Key, typ string, claims any) string {
	tb.Helper()

	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}

	hdr := jws.NewHeaders()
	if typ != "" {
		_ = hdr.Set(jws.TypeKey, typ)
	}
	_ = hdr.Set(jws.KeyIDKey, key.KeyID())

	alg := jwa.SignatureAlgorithm(key.Algorithm().String())
	signed, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		tb.Fatal(err)
	}

	return string(signed)
}

// Claims returns a valid RFC 9068 claim set for issuer and audience that
// expires in ttl, for tests to adjust.
func Claims(issuer, audience string, ttl time.Duration) map[string]any {
	now := time.Now()

	return map[string]any{
		"iss":       issuer,
		"aud":       audience,
		"sub":       "user-1",
		"client_id": "client-1",
		"iat":       now.Unix(),
		"exp":       now.Add(ttl).Unix(),
		"jti":       token.NewID(),
	}
}

// DPoPProof returns a DPoP proof (RFC 9449) signed by key for method and url,
// bound to accessToken when it is not empty.
func DPoPProof(tb testing.TB, key jwk.Key, method, url, accessToken string) string {
	tb.Helper()

	claims := map[string]any{
		"jti": token.NewID(),
		"htm": method,
		"htu": url,
		"iat": time.Now().Unix(),
	}

	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}

	return SignProof(tb, key, claims)
}

// SignProof signs claims as a DPoP proof: "typ" dpop+jwt and key's public JWK
// in the header.
func SignProof(tb testing.TB, key jwk.Key, claims map[string]any) string {
	tb.Helper()

	pub, err := key.PublicKey()
	if err != nil {
		tb.Fatal(err)
	}

	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}

	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, token.TypeDPoP)
	_ = hdr.Set(jws.JWKKey, pub)

	alg := jwa.SignatureAlgorithm(key.Algorithm().String())
	signed, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		tb.Fatal(err)
	}

	return string(signed)
}
