package pep_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/ztkit/ztkit/zt/pep"
)

// testKey returns a new P-256 key as PEM private and public keys.
func testKey(t *testing.T) (priv, pub string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pubDER, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}

// writeBundle writes the example policy as a bundle, signed with priv when
// it is not empty, and lets tamper change it after signing.
func writeBundle(t *testing.T, priv string, tamper func(*bundle.Bundle)) string {
	t.Helper()
	loader, err := bundle.NewFSLoader(examplePolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.NewCustomReader(loader).WithRegoVersion(ast.RegoV1).Read()
	if err != nil {
		t.Fatal(err)
	}
	b.Manifest.Revision = "v42"
	if priv != "" {
		if err := b.GenerateSignature(bundle.NewSigningConfig(priv, "ES256", ""), "ci", false); err != nil {
			t.Fatal(err)
		}
	}
	if tamper != nil {
		tamper(&b)
	}
	path := filepath.Join(t.TempDir(), "bundle.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := bundle.NewWriter(f).Write(b); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSignedBundle(t *testing.T) {
	priv, pub := testKey(t)
	otherPriv, _ := testKey(t)
	key := &pep.BundleKey{ID: "ci", Algorithm: "ES256", PublicKey: pub}

	e := newEngine(t, pep.Config{Bundle: writeBundle(t, priv, nil), BundleKey: key})
	if !strings.HasPrefix(e.Revision(), "v42+data.") {
		t.Errorf("revision = %s, want the manifest's", e.Revision())
	}

	refused := map[string]string{
		"unsigned":       writeBundle(t, "", nil),
		"another signer": writeBundle(t, otherPriv, nil),
		"tampered": writeBundle(t, priv, func(b *bundle.Bundle) {
			b.Data["ztkit"].(map[string]any)["max_risk"] = 101
		}),
	}
	for name, path := range refused {
		t.Run(name, func(t *testing.T) {
			_, err := pep.New(context.Background(), pep.Config{Bundle: path, BundleKey: key})
			if !errors.Is(err, pep.ErrPolicyRefused) {
				t.Fatalf("err = %v, want ErrPolicyRefused", err)
			}
			t.Log(err)
		})
	}
}
