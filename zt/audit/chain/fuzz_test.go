package chain_test

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"

	"github.com/ztkit/ztkit/zt/audit/chain"
)

// FuzzVerify feeds arbitrary bytes to the verifier as a trail file: it must
// return a report or an error, never panic, and never accept a file it did
// not write without a valid signature.
func FuzzVerify(f *testing.F) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}

	f.Add([]byte(`{"hash":"00","body":{}}` + "\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, chain.FileName(1)), data, 0o600); err != nil {
			t.Fatal(err)
		}

		rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}, AllowOpen: true})
		if err == nil && rep.Checkpoints > 0 {
			t.Fatal("a checkpoint verified with a key that never signed")
		}
	})
}

// FuzzParsePublicKey checks that key parsing never panics.
func FuzzParsePublicKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := chain.ParsePublicKey(data); err == nil && len(k) != ed25519.PublicKeySize {
			t.Fatalf("accepted a %d-byte key", len(k))
		}
	})
}
