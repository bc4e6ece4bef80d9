package token

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// fuzzNow is the fixed clock of the fuzz verifier, so that seeds stay valid.
var fuzzNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// fuzzKey is a TEST-ONLY Ed25519 key derived from a fixed seed, so that the
// committed seed corpus holds tokens that verify. It protects nothing.
func fuzzKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("ztkit-token-fuzz-test-key-seed!!"))
}

func fuzzVerifier(tb testing.TB) *Verifier {
	tb.Helper()

	pub, err := jwk.FromRaw(fuzzKey().Public())
	if err != nil {
		tb.Fatal(err)
	}
	_ = pub.Set(jwk.KeyIDKey, "fuzz")

	set := jwk.NewSet()
	_ = set.AddKey(pub)

	v, err := NewVerifier(context.Background(), VerifierConfig{
		Issuer: "https://issuer.test", Audience: []string{"https://api.test"},
		Keys: set, Now: func() time.Time { return fuzzNow }, CacheSize: -1,
	})
	if err != nil {
		tb.Fatal(err)
	}

	return v
}

func fuzzSign(header, claims string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))

	return input + "." + enc.EncodeToString(ed25519.Sign(fuzzKey(), []byte(input)))
}

// fuzzSeeds are tokens at the edges of the parser: valid ones and the attack
// suite's shapes, signed with the fuzz key.
func fuzzSeeds() map[string]string {
	hdr := `{"alg":"EdDSA","typ":"at+jwt","kid":"fuzz"}`
	claims := fmt.Sprintf(`{"iss":"https://issuer.test","aud":"https://api.test","sub":"u",`+
		`"client_id":"c","jti":"j","iat":%d,"exp":%d}`, fuzzNow.Unix(), fuzzNow.Add(time.Hour).Unix())
	valid := fuzzSign(hdr, claims)

	return map[string]string{
		"valid":            valid,
		"valid-dpop-bound": fuzzSign(hdr, strings.Replace(claims, `{`, `{"cnf":{"jkt":"x"},"scope":"a b","roles":["r"],`, 1)),
		"alg-none":         fuzzSign(`{"alg":"none","typ":"at+jwt","kid":"fuzz"}`, claims),
		"duplicate-alg":    fuzzSign(`{"alg":"EdDSA","alg":"none","typ":"at+jwt","kid":"fuzz"}`, claims),
		"crit":             fuzzSign(`{"alg":"EdDSA","typ":"at+jwt","kid":"fuzz","crit":["x"]}`, claims),
		"jku":              fuzzSign(`{"alg":"EdDSA","typ":"at+jwt","kid":"fuzz","jku":"http://127.0.0.1/"}`, claims),
		"id-token":         fuzzSign(`{"alg":"EdDSA","typ":"JWT","kid":"fuzz"}`, claims),
		"duplicate-sub":    fuzzSign(hdr, `{"sub":"a","sub":"b"}`),
		"odd-json":         fuzzSign(hdr, `{"a":"\u0000\ud800","b":[1e400,-0.0]}`),
		"stripped":         valid[:strings.LastIndexByte(valid, '.')+1],
		"empty-objects":    "e30.e30.e30",
		"jwe-shape":        "a.b.c.d.e",
		"dots":             strings.Repeat(".", 64),
		"empty":            "",
	}
}

func FuzzVerify(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}

	v := fuzzVerifier(f)

	f.Fuzz(func(t *testing.T, raw string) {
		p, err := v.Verify(context.Background(), raw)
		if err != nil {
			if p != nil {
				t.Fatal("refusal returned a principal")
			}

			if zt.ReasonOf(err) == "" {
				t.Fatalf("refusal without a reason: %v", err)
			}

			return
		}

		// Anything accepted must be a canonical compact JWS of our key with
		// claims that passed every rule.
		if strings.Count(raw, ".") != 2 || p.Token == nil || p.Token.Issuer != "https://issuer.test" {
			t.Fatalf("accepted %q as %+v", raw, p.Token)
		}
	})
}

// FuzzScanObject checks the strict JSON scanner against encoding/json: what
// it accepts must be valid JSON, and what it decodes must equal what
// encoding/json decodes.
func FuzzScanObject(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := scanObject(data, nil); err != nil {
			return
		}

		if !json.Valid(data) {
			t.Fatalf("scanner accepted %q, which is not valid JSON", data)
		}

		got, err := decodeObject(data)

		var want map[string]any
		if json.Unmarshal(data, &want) != nil {
			return // for example a number out of float64's range
		}

		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeObject(%q) = %v, %v; encoding/json: %v", data, got, err, want)
		}
	})
}

// scanSeeds are JSON texts at the edges of the scanner's grammar.
var scanSeeds = map[string]string{
	"empty":             `{}`,
	"member":            `{"a":1}`,
	"nested":            `{"a":{"b":[1,2,{"c":null}]},"d":[true,false,"x"]}`,
	"duplicate":         `{"a":1,"a":2}`,
	"escaped-duplicate": `{"\u0061":1,"a":2}`,
	"lone-surrogate":    `{"a":"\ud800"}`,
	"trailing-space":    `{"a":1} `,
	"exponent":          `{"a":-0.5e+3}`,
	"leading-zero":      `{"a":01}`,
	"huge-number":       `{"a":1e1000}`,
	"deep":              `{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
}

// TestWriteFuzzSeeds rewrites the seed corpus in testdata/fuzz when run with
// -update-seeds.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to rewrite the corpus")
	}

	for name, s := range fuzzSeeds() {
		writeSeed(t, "FuzzVerify", name, fmt.Sprintf("string(%q)", s))
	}

	for name, s := range scanSeeds {
		writeSeed(t, "FuzzScanObject", name, fmt.Sprintf("[]byte(%q)", s))
	}
}

func writeSeed(t *testing.T, target, name, value string) {
	t.Helper()

	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	body := "go test fuzz v1\n" + value + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFuzzSeedsReachAcceptance checks that the valid seeds verify, so that the
// fuzzer starts from tokens that reach the claim checks.
func TestFuzzSeedsReachAcceptance(t *testing.T) {
	v := fuzzVerifier(t)

	for _, name := range []string{"valid", "valid-dpop-bound"} {
		if _, err := v.Verify(t.Context(), fuzzSeeds()[name]); err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
	}
}
