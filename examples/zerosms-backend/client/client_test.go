package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
)

// TestKeyFile: the key is written readable by its owner only, never over
// another file, and a key file others may read is refused.
func TestKeyFile(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.jwk")

			k, err := client.GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}

			if err := client.SaveKey(path, k); err != nil {
				t.Fatal(err)
			}

			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
			}

			if err := client.SaveKey(path, k); err == nil {
				t.Fatal("overwrote an existing key file")
			}

			got, err := client.LoadKey(path)
			if err != nil || got.KeyType() != k.KeyType() {
				t.Fatalf("load: %v, %v", got, err)
			}

			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}

			if _, err := client.LoadKey(path); err == nil {
				t.Fatal("loaded a key file others may read")
			}
		})
	}
}
