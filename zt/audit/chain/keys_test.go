package chain_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/ztkit/ztkit/zt/audit/chain"
)

func TestKeyEncodings(t *testing.T) {
	pub, priv := newKey(t)

	pemPub, err := chain.MarshalPublicKey(pub)
	must(t, err)

	pemPriv, err := chain.MarshalPrivateKey(priv)
	must(t, err)

	for name, data := range map[string][]byte{
		"pem":    pemPub,
		"base64": []byte(base64.StdEncoding.EncodeToString(pub) + "\n"),
	} {
		got, err := chain.ParsePublicKey(data)
		if err != nil || !got.Equal(pub) {
			t.Fatalf("%s: %v", name, err)
		}
	}

	got, err := chain.ParsePrivateKey(pemPriv)
	if err != nil || !got.Equal(priv) {
		t.Fatalf("private: %v", err)
	}

	for name, data := range map[string][]byte{
		"empty":       nil,
		"private pem": pemPriv,
		"short":       []byte(base64.StdEncoding.EncodeToString(pub[:16])),
		"garbage":     []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
	} {
		if _, err := chain.ParsePublicKey(data); !errors.Is(err, chain.ErrKeyFormat) {
			t.Fatalf("%s: err = %v", name, err)
		}
	}

	if _, err := chain.ParsePrivateKey(pemPub); !errors.Is(err, chain.ErrKeyFormat) {
		t.Fatalf("public key parsed as private: %v", err)
	}
}
