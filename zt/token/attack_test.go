package token_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// attack is one forged or tampered token and the refusal it must meet.
type attack struct {
	name   string
	token  string
	reason string
}

// attackBench holds what the attack cases are built from: the server's key,
// its verifier, a valid claim set and an attacker's key and JWKS server.
type attackBench struct {
	jwks     *tokentest.JWKS
	v        *token.Verifier
	kid      string
	claims   string
	attacker jwk.Key
	evilURL  string
	evilHits *atomic.Int64
}

func newAttackBench(t *testing.T) *attackBench {
	t.Helper()

	b := &attackBench{jwks: tokentest.NewJWKS(t, token.ES256)}
	b.v = newVerifier(t, b.jwks, func(c *token.VerifierConfig) { c.MinRefetchInterval = time.Hour })
	b.kid = b.jwks.Key().KeyID()
	b.claims = string(mustJSON(t, claims(nil)))

	var err error
	if b.attacker, err = token.GenerateKey(token.ES256); err != nil {
		t.Fatal(err)
	}

	pub, _ := b.attacker.PublicKey()
	set := jwk.NewSet()
	_ = set.AddKey(pub)

	b.evilHits = new(atomic.Int64)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b.evilHits.Add(1)
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(evil.Close)
	b.evilURL = evil.URL

	return b
}

// signed returns a token with the given header signed by the server's key.
func (b *attackBench) signed(t *testing.T, header, payload string) string {
	t.Helper()

	return forge(t, b.jwks.Key(), header, payload)
}

func (b *attackBench) hdr(extra string) string {
	return `{"alg":"ES256","typ":"at+jwt","kid":"` + b.kid + `"` + extra + `}`
}

// unsigned returns header.payload.sig with sig given in base64url.
func unsigned(header, payload, sig string) string {
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + sig
}

func TestAttackSuite(t *testing.T) {
	b := newAttackBench(t)

	var cases []attack
	for _, group := range []func(*testing.T, *attackBench) []attack{
		algNoneAttacks, signatureAttacks, keyConfusionAttacks, psychicAttacks,
		kidAttacks, keyHeaderAttacks, headerAttacks, claimAttacks, encodingAttacks,
	} {
		cases = append(cases, group(t, b)...)
	}

	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.v.Verify(t.Context(), tt.token)
			wantRefusal(t, err, zt.ErrUnauthenticated, tt.reason)
		})
	}

	if n := b.evilHits.Load(); n != 0 {
		t.Fatalf("the attacker's key URL was fetched %d times", n)
	}

	if n := b.jwks.Hits(); n > 2 {
		t.Fatalf("attacks made the verifier fetch the JWKS %d times", n)
	}
}

func algNoneAttacks(t *testing.T, b *attackBench) []attack {
	var out []attack
	for _, alg := range []string{"none", "None", "NONE", "nOnE", "NoNe"} {
		hdr := `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + b.kid + `"}`
		out = append(out,
			attack{"alg " + alg + " empty signature", unsigned(hdr, b.claims, ""), token.ReasonMalformed},
			attack{"alg " + alg + " with signature", b.signed(t, hdr, b.claims), token.ReasonAlgorithm},
		)
	}

	for name, alg := range map[string]string{
		"missing": ``, "empty": `"alg":"",`, "number": `"alg":256,`, "null": `"alg":null,`,
		"array": `"alg":["ES256"],`, "object": `"alg":{"name":"ES256"},`, "upper-case name": `"ALG":"ES256",`,
	} {
		hdr := `{` + alg + `"typ":"at+jwt","kid":"` + b.kid + `"}`
		out = append(out, attack{"alg " + name, b.signed(t, hdr, b.claims), token.ReasonAlgorithm})
	}

	return out
}

func signatureAttacks(t *testing.T, b *attackBench) []attack {
	valid := b.signed(t, b.hdr(""), b.claims)
	h, p, s := parts(valid)

	sig, _ := enc.DecodeString(s)
	flipped := append([]byte{}, sig...)
	flipped[10] ^= 1

	otherClaims := strings.Replace(b.claims, `"user-1"`, `"admin"`, 1)

	return []attack{
		{"signature stripped", h + "." + p + ".", token.ReasonMalformed},
		{"signature part removed", h + "." + p, token.ReasonMalformed},
		{"signature truncated", h + "." + p + "." + enc.EncodeToString(sig[:60]), token.ReasonSignature},
		{"signature truncated mid-character", h + "." + p + "." + s[:len(s)-1], token.ReasonMalformed},
		{"signature altered", h + "." + p + "." + enc.EncodeToString(flipped), token.ReasonSignature},
		{"signature extended", h + "." + p + "." + enc.EncodeToString(append(sig, 0)), token.ReasonSignature},
		{"payload altered", h + "." + enc.EncodeToString([]byte(otherClaims)) + "." + s, token.ReasonSignature},
		{"header altered", enc.EncodeToString([]byte(b.hdr(`,"x":1`))) + "." + p + "." + s, token.ReasonSignature},
		{"signed by another key with the server's kid", forge(t, b.attacker, b.hdr(""), b.claims), token.ReasonSignature},
	}
}

// keyConfusionAttacks sign HS256 tokens with the server's public key,
// serialized the ways a confused verifier might use it as an HMAC secret.
func keyConfusionAttacks(t *testing.T, b *attackBench) []attack {
	pub, _ := b.jwks.Key().PublicKey()
	var raw ecdsa.PublicKey
	if err := pub.Raw(&raw); err != nil {
		t.Fatal(err)
	}

	der, _ := x509.MarshalPKIXPublicKey(&raw)
	ecdh, _ := raw.ECDH()
	secrets := map[string][]byte{
		"PEM":            pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"DER":            der,
		"JWK":            mustJSON(t, pub),
		"raw point":      ecdh.Bytes(),
		"PEM no newline": []byte(strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))),
	}

	var out []attack
	for name, secret := range secrets {
		for _, kid := range []string{`,"kid":"` + b.kid + `"`, ``} {
			hdr := `{"alg":"HS256","typ":"at+jwt"` + kid + `}`
			out = append(out, attack{
				fmt.Sprintf("HS256 with public key as %s (kid %t)", name, kid != ""),
				hmacToken(hdr, b.claims, secret), token.ReasonAlgorithm,
			})
		}
	}

	return out
}

func hmacToken(header, payload string, secret []byte) string {
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))

	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// psychicAttacks send ECDSA signatures that broken verifiers accept for any
// message (CVE-2022-21449) and malformed encodings.
func psychicAttacks(t *testing.T, b *attackBench) []attack {
	n := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	zero := make([]byte, 32)
	one := append(make([]byte, 31), 1)

	valid := b.signed(t, b.hdr(""), b.claims)
	h, p, s := parts(valid)
	sig, _ := enc.DecodeString(s)
	der := rawToDER(sig)

	sigs := map[string][]byte{
		"r = s = 0":          append(zero, zero...),
		"r = s = n":          append(n, n...),
		"r = 0, s = 1":       append(zero, one...),
		"r = n, s = 1":       append(n, one...),
		"length 63":          sig[:63],
		"length 65":          append(append([]byte{}, sig...), 0),
		"length 96":          append(append([]byte{}, sig...), sig[:32]...),
		"DER instead of raw": der,
		"DER of r = s = 0":   {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00},
		"empty after decode": {},
	}

	var out []attack
	for name, sig := range sigs {
		reason := token.ReasonSignature
		if len(sig) == 0 {
			reason = token.ReasonMalformed
		}
		out = append(out, attack{"psychic " + name, h + "." + p + "." + enc.EncodeToString(sig), reason})
	}

	return out
}

// rawToDER encodes a raw P-256 signature as ASN.1 DER, the form crypto/ecdsa
// produces and JWS forbids.
func rawToDER(sig []byte) []byte {
	var seq []byte
	for _, v := range [][]byte{sig[:32], sig[32:]} {
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		seq = append(seq, 0x02, byte(len(v)))
		seq = append(seq, v...)
	}

	return append([]byte{0x30, byte(len(seq))}, seq...)
}

func kidAttacks(t *testing.T, b *attackBench) []attack {
	var out []attack
	for name, kid := range map[string]string{
		"path traversal":     `../../../../etc/passwd`,
		"encoded traversal":  `..%2f..%2fetc%2fpasswd`,
		"SQL injection":      `' OR '1'='1' --`,
		"SQL union":          `x' UNION SELECT key FROM keys --`,
		"NUL byte":           `\u0000`,
		"URL":                b.evilURL,
		"very long":          strings.Repeat("k", 900),
		"case variant":       strings.ToUpper(b.kid),
		"kid of another key": "attacker-key",
	} {
		hdr := `{"alg":"ES256","typ":"at+jwt","kid":"` + kid + `"}`
		out = append(out, attack{"kid " + name, forge(t, b.attacker, hdr, b.claims), token.ReasonUnknownKey})
	}

	out = append(out, attack{"kid number", b.signed(t, `{"alg":"ES256","typ":"at+jwt","kid":7}`, b.claims), token.ReasonBadHeader})

	return out
}

func keyHeaderAttacks(t *testing.T, b *attackBench) []attack {
	pub, _ := b.attacker.PublicKey()
	attackerJWK := string(mustJSON(t, pub))
	kid := b.attacker.KeyID()

	hdr := func(extra string) string {
		return `{"alg":"ES256","typ":"at+jwt","kid":"` + kid + `",` + extra + `}`
	}

	return []attack{
		{"jku to attacker JWKS", forge(t, b.attacker, hdr(`"jku":"`+b.evilURL+`"`), b.claims), token.ReasonKeyHeader},
		{"x5u to attacker", forge(t, b.attacker, hdr(`"x5u":"`+b.evilURL+`/cert.pem"`), b.claims), token.ReasonKeyHeader},
		{"embedded attacker jwk", forge(t, b.attacker, hdr(`"jwk":`+attackerJWK), b.claims), token.ReasonKeyHeader},
		{"x5c attacker chain", forge(t, b.attacker, hdr(`"x5c":["MIIB"]`), b.claims), token.ReasonKeyHeader},
		{"jku on a validly signed token", b.signed(t, b.hdr(`,"jku":"`+b.evilURL+`"`), b.claims), token.ReasonKeyHeader},
		{"jwk null", b.signed(t, b.hdr(`,"jwk":null`), b.claims), token.ReasonKeyHeader},
	}
}

func headerAttacks(t *testing.T, b *attackBench) []attack {
	return []attack{
		{"unknown crit", b.signed(t, b.hdr(`,"crit":["http://evil.test/ext"],"http://evil.test/ext":true`), b.claims), token.ReasonCritical},
		{"crit naming a registered header", b.signed(t, b.hdr(`,"crit":["exp"]`), b.claims), token.ReasonCritical},
		{"empty crit", b.signed(t, b.hdr(`,"crit":[]`), b.claims), token.ReasonCritical},
		{"b64 false", b.signed(t, b.hdr(`,"b64":false`), b.claims), token.ReasonBadHeader},
		{"zip", b.signed(t, b.hdr(`,"zip":"DEF"`), b.claims), token.ReasonBadHeader},
		{"nested JWT", b.signed(t, b.hdr(`,"cty":"JWT"`), b.claims), token.ReasonBadHeader},
		{"enc in JWS header", b.signed(t, b.hdr(`,"enc":"A256GCM"`), b.claims), token.ReasonEncrypted},
		{"duplicate alg", b.signed(t, `{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"`+b.kid+`"}`, b.claims), token.ReasonBadHeader},
		{"duplicate kid", b.signed(t, b.hdr(`,"kid":"other"`), b.claims), token.ReasonBadHeader},
		{"escaped duplicate alg", b.signed(t, `{"alg":"ES256","\u0061lg":"HS256","typ":"at+jwt","kid":"`+b.kid+`"}`, b.claims), token.ReasonBadHeader},
		{"header trailing garbage", b.signed(t, b.hdr("")+`x`, b.claims), token.ReasonBadHeader},
		{"header two objects", b.signed(t, b.hdr("")+b.hdr(""), b.claims), token.ReasonBadHeader},
		{"header is an array", b.signed(t, `["ES256"]`, b.claims), token.ReasonBadHeader},
		{"header not UTF-8", b.signed(t, b.hdr(`,"x":"`+"\xff"+`"`), b.claims), token.ReasonBadHeader},
		{"ID token as access token", b.signed(t, `{"alg":"ES256","typ":"JWT","kid":"`+b.kid+`"}`,
			string(mustJSON(t, claims(func(c map[string]any) { c["nonce"] = "n"; c["at_hash"] = "h" })))), token.ReasonType},
		{"ID token without typ", b.signed(t, `{"alg":"ES256","kid":"`+b.kid+`"}`, b.claims), token.ReasonType},
		{"typ number", b.signed(t, `{"alg":"ES256","typ":1,"kid":"`+b.kid+`"}`, b.claims), token.ReasonType},
		{"JWE compact", "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d", token.ReasonEncrypted},
		{"oversized header", b.signed(t, b.hdr(`,"x":"`+strings.Repeat("a", 2000)+`"`), b.claims), token.ReasonBadHeader},
	}
}

func claimAttacks(t *testing.T, b *attackBench) []attack {
	now := time.Now()
	c := func(mutate func(map[string]any)) string {
		return b.signed(t, b.hdr(""), string(mustJSON(t, claims(mutate))))
	}

	dupSub := strings.Replace(b.claims, `{`, `{"sub":"admin",`, 1)
	dupNested := strings.Replace(b.claims, `{`, `{"cnf":{"jkt":"a","jkt":"b"},`, 1)
	escDup := strings.Replace(b.claims, `{`, `{"\u0073ub":"admin",`, 1)

	return []attack{
		{"expired", c(func(m map[string]any) { m["exp"] = now.Add(-time.Hour).Unix() }), token.ReasonExpired},
		{"not yet valid", c(func(m map[string]any) { m["nbf"] = now.Add(time.Hour).Unix() }), token.ReasonNotYetValid},
		{"iat in the future", c(func(m map[string]any) { m["iat"] = now.Add(time.Hour).Unix() }), token.ReasonIssuedInFuture},
		{"wrong iss", c(func(m map[string]any) { m["iss"] = "https://evil.test" }), token.ReasonIssuer},
		{"iss with trailing slash", c(func(m map[string]any) { m["iss"] = testIssuer + "/" }), token.ReasonIssuer},
		{"wrong aud", c(func(m map[string]any) { m["aud"] = "https://evil.test" }), token.ReasonAudience},
		{"empty aud list", c(func(m map[string]any) { m["aud"] = []string{} }), token.ReasonAudience},
		{"exp far past as float", c(func(m map[string]any) { m["exp"] = 1.5 }), token.ReasonExpired},
		{"exp negative", c(func(m map[string]any) { m["exp"] = -1 }), token.ReasonBadClaims},
		{"exp huge", c(func(m map[string]any) { m["exp"] = 1e300 }), token.ReasonBadClaims},
		{"duplicate sub", b.signed(t, b.hdr(""), dupSub), token.ReasonBadClaims},
		{"escaped duplicate sub", b.signed(t, b.hdr(""), escDup), token.ReasonBadClaims},
		{"duplicate nested member", b.signed(t, b.hdr(""), dupNested), token.ReasonBadClaims},
		{"claims trailing garbage", b.signed(t, b.hdr(""), b.claims+`garbage`), token.ReasonBadClaims},
		{"claims not an object", b.signed(t, b.hdr(""), `"sub"`), token.ReasonBadClaims},
		{"claims deeply nested", b.signed(t, b.hdr(""), strings.Replace(b.claims, `{`, `{"x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`,`, 1)), token.ReasonBadClaims},
	}
}

func encodingAttacks(t *testing.T, b *attackBench) []attack {
	valid := b.signed(t, b.hdr(""), b.claims)
	h, p, s := parts(valid)

	std := func(x string) string { return strings.NewReplacer("-", "+", "_", "/").Replace(x) }

	return []attack{
		{"padding on header", h + "==." + p + "." + s, token.ReasonMalformed},
		{"padding on signature", h + "." + p + "." + s + "=", token.ReasonMalformed},
		{"standard base64 alphabet", h + "." + p + "." + std(s) + "+/", token.ReasonMalformed},
		{"non-canonical trailing bits", h + "." + p + "." + nonCanonical(s), token.ReasonMalformed},
		{"trailing garbage after signature", valid + "garbage!", token.ReasonMalformed},
		{"trailing dot", valid + ".", token.ReasonMalformed},
		{"trailing space", valid + " ", token.ReasonMalformed},
		{"leading space", " " + valid, token.ReasonMalformed},
		{"newline inside", h + "\n." + p + "." + s, token.ReasonMalformed},
		{"two dots", "..", token.ReasonMalformed},
		{"full of dots", strings.Repeat(".", 5000), token.ReasonMalformed},
		{"five dots", ".....", token.ReasonMalformed},
		{"one part", h, token.ReasonMalformed},
		{"empty header", "." + p + "." + s, token.ReasonMalformed},
		{"oversized token", h + "." + strings.Repeat("A", 9000) + "." + s, token.ReasonOversized},
		{"JSON serialization", `{"payload":"` + p + `","protected":"` + h + `","signature":"` + s + `"}`, token.ReasonMalformed},
	}
}

// nonCanonical flips the unused low bits of the last base64 character.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last^1])
}

func parts(raw string) (string, string, string) {
	p := strings.SplitN(raw, ".", 3)
	return p[0], p[1], p[2]
}

// TestKeyConfusionRSA checks that a verifier of RS256 keys refuses HS256
// tokens signed with the RSA public key, and PS256 where RS256 is bound.
func TestKeyConfusionRSA(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	key, _ := jwk.FromRaw(priv)
	_ = key.Set(jwk.KeyIDKey, "rsa-1")
	_ = key.Set(jwk.AlgorithmKey, "RS256")
	pub, _ := key.PublicKey()
	set := jwk.NewSet()
	_ = set.AddKey(pub)

	v, err := token.NewVerifier(t.Context(), staticConfig(set))
	if err != nil {
		t.Fatal(err)
	}

	payload := string(mustJSON(t, claims(nil)))
	valid := forge(t, key, `{"alg":"RS256","typ":"at+jwt","kid":"rsa-1"}`, payload)
	if _, err := v.Verify(t.Context(), valid); err != nil {
		t.Fatalf("valid RS256: %v", err)
	}

	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	secrets := [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&priv.PublicKey)}),
		der, mustJSON(t, pub), priv.N.Bytes(),
	}

	for i, secret := range secrets {
		_, err := v.Verify(t.Context(), hmacToken(`{"alg":"HS256","typ":"at+jwt","kid":"rsa-1"}`, payload, secret))
		if zt.ReasonOf(err) != token.ReasonAlgorithm {
			t.Fatalf("serialization %d: %v", i, err)
		}
	}

	_, err = v.Verify(t.Context(), forge(t, key, `{"alg":"PS256","typ":"at+jwt","kid":"rsa-1"}`, payload))
	wantRefusal(t, err, zt.ErrUnauthenticated, token.ReasonAlgorithm)
}

func staticConfig(set jwk.Set) token.VerifierConfig {
	return token.VerifierConfig{Issuer: testIssuer, Audience: []string{testAudience}, Keys: set}
}

// TestWeakRSAKeyRefused checks that an RSA key under 2048 bits cannot enter a
// key set.
func TestWeakRSAKeyRefused(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}

	key, _ := jwk.FromRaw(&priv.PublicKey)
	set := jwk.NewSet()
	_ = set.AddKey(key)

	_, err = token.NewVerifier(t.Context(), staticConfig(set))
	if err == nil {
		t.Fatal("1024-bit RSA key accepted")
	}
}
