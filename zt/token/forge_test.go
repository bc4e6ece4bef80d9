package token_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

var enc = base64.RawURLEncoding

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()

	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}

	return b
}

// forge builds a compact JWS from a literal header and payload and signs it
// with key as its "alg" says, so that tests control every byte.
func forge(t testing.TB, key jwk.Key, header, payload string) string {
	t.Helper()

	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))

	return input + "." + enc.EncodeToString(signRaw(t, key, []byte(input)))
}

// signRaw signs input with key's private material by its algorithm family.
func signRaw(t testing.TB, key jwk.Key, input []byte) []byte {
	t.Helper()

	var raw any
	if err := key.Raw(&raw); err != nil {
		t.Fatal(err)
	}

	sum := sha256.Sum256(input)
	switch k := raw.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return append(pad32(r), pad32(s)...)
	case ed25519.PrivateKey:
		return ed25519.Sign(k, input)
	case *rsa.PrivateKey:
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	default:
		t.Fatalf("signRaw: key type %T", raw)
		return nil
	}
}

func pad32(n *big.Int) []byte {
	b := make([]byte, 32)
	return n.FillBytes(b)
}
