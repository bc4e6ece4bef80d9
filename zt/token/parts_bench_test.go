package token

import (
	"context"
	"testing"
)

// BenchmarkParts measures the verification steps other than the signature
// check, on the fuzz verifier's valid token.
func BenchmarkParts(b *testing.B) {
	v := fuzzVerifier(b)
	raw := fuzzSeeds()["valid-dpop-bound"]
	h64, p64, _, _ := split(raw)

	b.Run("split+header", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h, _, _, _ := split(raw)
			if _, err := decodeHeader(h); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.key(context.Background(), "fuzz"); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("claims", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			payload, _ := b64.DecodeString(p64)
			if _, _, err := v.claims(payload, "at+jwt", fuzzNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = h64
}
