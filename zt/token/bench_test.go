package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// benchCase is one algorithm's key, a token signed with it, and the raw
// crypto verification of that token's signature.
type benchCase struct {
	alg string
	key jwk.Key
	raw string
	// rawVerify verifies the token's signature with crypto/* alone: the floor
	// that parsing and checks add to.
	rawVerify func() bool
}

func newBenchCase(b *testing.B, alg string) benchCase {
	b.Helper()

	var priv any
	switch alg {
	case "ES256", "EdDSA":
		k, err := token.GenerateKey(alg)
		if err != nil {
			b.Fatal(err)
		}
		if err := k.Raw(&priv); err != nil {
			b.Fatal(err)
		}
	case "RS256":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		priv = k
	}

	key, err := jwk.FromRaw(priv)
	if err != nil {
		b.Fatal(err)
	}
	_ = key.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(alg))
	_ = key.Set(jwk.KeyIDKey, "bench-"+alg)

	c := benchCase{alg: alg, key: key}
	c.raw = tokentest.Sign(b, key, "at+jwt", benchClaims())
	c.rawVerify = rawVerifier(b, priv, c.raw)

	return c
}

// benchClaims is a realistic access token claim set.
func benchClaims() map[string]any {
	c := tokentest.Claims(testIssuer, testAudience, time.Hour)
	c["scope"] = "transactions:read transactions:write"
	c["sid"] = "9f0c2a3e-session"
	c["roles"] = []string{"user"}
	c["auth_time"] = time.Now().Unix()
	c["amr"] = []string{"pwd", "otp"}

	return c
}

func rawVerifier(b *testing.B, priv any, raw string) func() bool {
	b.Helper()

	dot := strings.LastIndexByte(raw, '.')
	input := []byte(raw[:dot])
	sig, err := enc.DecodeString(raw[dot+1:])
	if err != nil {
		b.Fatal(err)
	}

	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return func() bool {
			sum := sha256.Sum256(input)
			return ecdsa.Verify(&k.PublicKey, sum[:], r, s)
		}
	case ed25519.PrivateKey:
		pub := k.Public().(ed25519.PublicKey)
		return func() bool { return ed25519.Verify(pub, input, sig) }
	case *rsa.PrivateKey:
		return func() bool {
			sum := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, sum[:], sig) == nil
		}
	}

	b.Fatalf("no raw verifier for %T", priv)

	return nil
}

func benchVerifier(b *testing.B, c benchCase, cacheSize int) *token.Verifier {
	b.Helper()

	pub, err := c.key.PublicKey()
	if err != nil {
		b.Fatal(err)
	}

	set := jwk.NewSet()
	_ = set.AddKey(pub)

	v, err := token.NewVerifier(context.Background(), token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, Keys: set, CacheSize: cacheSize,
	})
	if err != nil {
		b.Fatal(err)
	}

	return v
}

// BenchmarkVerify compares, for each algorithm, the raw signature check with
// a cold verification (no cache: parse, signature, claims, Principal), a
// cached repeat, and jwx's generic jwt.Parse for reference. Besides wall time
// it reports cpu-ns/op, the CPU time of the benchmark's thread, which a busy
// machine disturbs much less.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()

	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		c := newBenchCase(b, alg)
		cold, cached := benchVerifier(b, c, -1), benchVerifier(b, c, 0)
		pub, _ := c.key.PublicKey()

		steps := []struct {
			name string
			step func() error
		}{
			{"raw", func() error {
				if !c.rawVerify() {
					return errors.New("raw verify failed")
				}
				return nil
			}},
			{"cold", func() error { _, err := cold.Verify(ctx, c.raw); return err }},
			{"cached", func() error { _, err := cached.Verify(ctx, c.raw); return err }},
			{"jwx", func() error {
				_, err := jwt.ParseString(c.raw, jwt.WithKey(jwa.SignatureAlgorithm(alg), pub))
				return err
			}},
		}

		for _, s := range steps {
			b.Run(alg+"/"+s.name, func(b *testing.B) { benchCPU(b, s.step) })
		}
	}
}

// benchCPU runs step in a benchmark loop and reports, besides wall time, the
// thread CPU time per operation.
func benchCPU(b *testing.B, step func() error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	b.ReportAllocs()
	start := threadCPU()

	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}

	b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkOverhead interleaves the raw signature check and a cold
// verification of the same token in one loop, alternating which runs first,
// and reports the ratio of the CPU time each took on the benchmark's thread
// (on Linux): it stays meaningful when other work on the machine makes wall
// times noisy.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()

	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		c := newBenchCase(b, alg)
		v := benchVerifier(b, c, -1)

		rawStep := func() {
			if !c.rawVerify() {
				b.Fatal("raw verify failed")
			}
		}
		coldStep := func() {
			if _, err := v.Verify(ctx, c.raw); err != nil {
				b.Fatal(err)
			}
		}

		b.Run(alg, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()

			var raw, cold, clock time.Duration
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					raw += timed(rawStep)
					cold += timed(coldStep)
				} else {
					cold += timed(coldStep)
					raw += timed(rawStep)
				}

				clock += timed(func() {})
			}

			// Take out what reading the clock costs each step.
			raw, cold = raw-clock, cold-clock

			b.ReportMetric(float64(cold)/float64(raw), "cold/raw")
			b.ReportMetric(float64(cold-raw)/float64(b.N), "overhead-cpu-ns/op")
		})
	}
}

func timed(f func()) time.Duration {
	start := threadCPU()
	f()

	return threadCPU() - start
}
