package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "key.jwk"), filepath.Join(dir, "key.pub.jwk")

	for _, alg := range []string{token.ES256, token.EdDSA} {
		out, err := execute(t, tokenKeygenCmd(), "", "--alg", alg, "--out", priv, "--pub", pub, "--force")
		if err != nil {
			t.Fatalf("keygen %s: %v", alg, err)
		}

		info, err := os.Stat(priv)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("private key mode %v, %v", info.Mode(), err)
		}

		key := readKey(t, priv)
		if private, _ := jwk.IsPrivateKey(key); !private || key.Algorithm().String() != alg {
			t.Fatalf("private file holds %v", key)
		}

		if private, _ := jwk.IsPrivateKey(readKey(t, pub)); private {
			t.Fatal("public file holds a private key")
		}

		if !strings.Contains(out, key.KeyID()) {
			t.Fatalf("output %q lacks kid", out)
		}
	}

	if _, err := execute(t, tokenKeygenCmd(), "", "--out", priv); err == nil {
		t.Fatal("keygen overwrote a key without --force")
	}

	if _, err := execute(t, tokenKeygenCmd(), "", "--alg", "HS256", "--out", filepath.Join(dir, "x")); err == nil {
		t.Fatal("keygen accepted HS256")
	}
}

func TestKeygenForceTightensMode(t *testing.T) {
	priv := filepath.Join(t.TempDir(), "key.jwk")
	if err := os.WriteFile(priv, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	if _, err := execute(t, tokenKeygenCmd(), "", "--out", priv, "--force"); err != nil {
		t.Fatal(err)
	}

	if info, _ := os.Stat(priv); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after --force", info.Mode())
	}
}

func readKey(t *testing.T, path string) jwk.Key {
	t.Helper()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	key, err := jwk.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}

	return key
}

func TestInspect(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	claims := tokentest.Claims("https://issuer.test", "https://api.test", 5*time.Minute)
	valid := jwks.Sign(t, "at+jwt", claims)

	expiredClaims := tokentest.Claims("https://issuer.test", "https://api.test", -time.Hour)
	expired := jwks.Sign(t, "at+jwt", expiredClaims)

	setFile := filepath.Join(t.TempDir(), "jwks.json")
	body := fetch(t, jwks.URL)
	if err := os.WriteFile(setFile, body, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
		fails bool
	}{
		{"decode only", "", []string{valid}, "Signature not verified", false},
		{"from stdin", valid + "\n", []string{"-"}, `"sub": "user-1"`, false},
		{"valid against URL", "", []string{valid, "--jwks", jwks.URL}, "VALID", false},
		{"valid against file", "", []string{valid, "--jwks", setFile, "--issuer", "https://issuer.test"}, "VALID", false},
		{"expired", "", []string{expired, "--jwks", jwks.URL}, "INVALID: token.expired (invalid_token)", true},
		{"wrong audience", "", []string{valid, "--jwks", jwks.URL, "--audience", "https://other.test"}, "INVALID: token.audience", true},
		{"wrong type", "", []string{valid, "--jwks", jwks.URL, "--type", "secevent+jwt"}, "INVALID: token.type", true},
		{"tampered", "", []string{valid[:len(valid)-4] + "AAAA", "--jwks", jwks.URL}, "INVALID: token.signature", true},
		{"garbage", "", []string{"not-a-token"}, "INVALID: token.malformed", true},
		{"issuer note", "", []string{valid, "--jwks", jwks.URL}, "issuer taken from the token", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := execute(t, tokenInspectCmd(), tt.stdin, tt.args...)
			if tt.fails != errors.Is(err, errInvalidToken) {
				t.Fatalf("err = %v, fails = %t\n%s", err, tt.fails, out)
			}

			if !strings.Contains(out, tt.want) {
				t.Fatalf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()

	set, err := jwk.Fetch(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}

	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}

	return body
}

func TestInspectTrustsCACert(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	claims := tokentest.Claims("https://issuer.test", "https://api.test", 5*time.Minute)
	valid := jwks.Sign(t, "at+jwt", claims)

	// The same key set served over TLS by a server whose certificate no system
	// root trusts, as a dev CA's would be.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(fetch(t, jwks.URL))
	}))
	t.Cleanup(srv.Close)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(block), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := execute(t, tokenInspectCmd(), "", valid, "--jwks", srv.URL)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without --cacert: err = %v, want a certificate error", err)
	}

	out, err := execute(t, tokenInspectCmd(), "", valid, "--jwks", srv.URL, "--cacert", caFile)
	if err != nil || !strings.Contains(out, "VALID") {
		t.Fatalf("with --cacert: err = %v\n%s", err, out)
	}

	_, err = execute(t, tokenInspectCmd(), "", valid, "--jwks", srv.URL, "--cacert", "token.go")
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("with a non-PEM --cacert: err = %v", err)
	}
}
