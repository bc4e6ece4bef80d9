package seal_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ztkit/ztkit/examples/internal/seal"
)

func TestSealOpens(t *testing.T) {
	s, err := seal.Random()
	if err != nil {
		t.Fatal(err)
	}

	secret := "refresh-token-value"
	sealed := s.Seal("device:1:refresh", secret)

	if strings.Contains(sealed, secret) || sealed == s.Seal("device:1:refresh", secret) {
		t.Fatalf("sealed %q shows the secret or repeats itself", sealed)
	}

	if got, err := s.Open("device:1:refresh", sealed); err != nil || got != secret {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

// TestOpenRefuses checks every way a value can fail to open: another
// context (a value copied to another row), another key, an altered byte,
// no prefix, not base64, too short.
func TestOpenRefuses(t *testing.T) {
	s, _ := seal.Random()
	other, _ := seal.Random()
	sealed := s.Seal("a", "secret")

	flipped := []byte(sealed)
	flipped[len(flipped)-3] ^= 1

	for name, c := range map[string]struct {
		s       *seal.Sealer
		context string
		value   string
	}{
		"other context": {s, "b", sealed},
		"other key":     {other, "a", sealed},
		"altered":       {s, "a", string(flipped)},
		"plaintext":     {s, "a", "secret"},
		"not base64":    {s, "a", "v1.!!!"},
		"too short":     {s, "a", "v1.AAAA"},
		"empty":         {s, "a", ""},
	} {
		if got, err := c.s.Open(c.context, c.value); !errors.Is(err, seal.ErrUnsealed) {
			t.Errorf("%s: Open = %q, %v; want ErrUnsealed", name, got, err)
		}
	}
}

func TestNewRefusesWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := seal.New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.key")

	key, err := seal.LoadOrCreateKey(path)
	if err != nil || len(key) != seal.KeySize {
		t.Fatalf("create: %d bytes, %v", len(key), err)
	}

	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}

	again, err := seal.LoadOrCreateKey(path)
	if err != nil || string(again) != string(key) {
		t.Fatalf("the second load returned another key (%v)", err)
	}
}

func TestLoadOrCreateKeyRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()

	for name, c := range map[string]struct {
		body string
		mode os.FileMode
	}{
		"readable by others": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0o644},
		"not base64":         {"not a key", 0o600},
		"short key":          {"AAAA", 0o600},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(path, []byte(c.body), c.mode); err != nil {
			t.Fatal(err)
		}

		if err := os.Chmod(path, c.mode); err != nil {
			t.Fatal(err)
		}

		if _, err := seal.LoadOrCreateKey(path); err == nil {
			t.Errorf("%s: the key file was accepted", name)
		}
	}
}

// TestConcurrentCreateAgrees starts many loaders on a missing key file: they
// must all end up with the one key that was written.
func TestConcurrentCreateAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.key")

	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := seal.LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()

	for _, k := range keys[1:] {
		if string(k) != string(keys[0]) {
			t.Fatal("loaders disagree on the key")
		}
	}
}
