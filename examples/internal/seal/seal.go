// Package seal encrypts the small secrets that the example services keep
// (session tokens in cookies, delegated platform sessions in a database)
// with AES-256-GCM. Each sealed value is bound to a context string (a
// cookie's name, a row and column) as associated data, so that a value
// copied to another place does not open there.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// prefix marks a value sealed by this package's first format, so that a
// later format (or key) can be told apart.
const prefix = "v1."

// ErrUnsealed is returned by Open for a value that was not sealed with this
// key for this context, or was altered.
var ErrUnsealed = errors.New("seal: value does not open")

// Sealer seals and opens values with one key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for a KeySize-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}

	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}

	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}

	return &Sealer{aead: aead}, nil
}

// Random returns a Sealer with a fresh random key that lives only in this
// process: what it seals cannot be opened after a restart.
func Random() (*Sealer, error) {
	key, err := randomKey()
	if err != nil {
		return nil, err
	}

	return New(key)
}

func randomKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}

	return key, nil
}

// FromKeyFile returns a Sealer with the key in path, created on first use
// (see LoadOrCreateKey).
func FromKeyFile(path string) (*Sealer, error) {
	key, err := LoadOrCreateKey(path)
	if err != nil {
		return nil, err
	}

	return New(key)
}

// Seal encrypts plain for context, under a fresh random nonce.
func (s *Sealer) Seal(context, plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)

	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(context))

	return prefix + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value sealed for context, or returns ErrUnsealed.
func (s *Sealer) Open(context, sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrUnsealed
	}

	b, err := base64.RawURLEncoding.DecodeString(body)
	n := s.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", ErrUnsealed
	}

	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", ErrUnsealed
	}

	return string(plain), nil
}

// LoadOrCreateKey reads the key in path (base64, one line), or, when the
// file does not exist, creates it with a fresh random key, readable by its
// owner alone. A key file that others may read, or that does not hold a
// key, is refused.
//
// TODO(kms): production deployments should take the key from a KMS or a
// secret store rather than a file beside the data it protects.
func LoadOrCreateKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path)
	}

	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}

	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}

	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: key file %s is readable by others (mode %v)",
			path, info.Mode().Perm())
	}

	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("seal: key file %s does not hold a %d-byte base64 key",
			path, KeySize)
	}

	return key, nil
}

func createKey(path string) ([]byte, error) {
	key, err := randomKey()
	if err != nil {
		return nil, err
	}

	// The key is written to a temporary file, then linked into place: a
	// link never replaces a file, so of two processes starting at once one
	// key wins and the other reads it whole.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".seal-key-*")
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()

	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err = errors.Join(err, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("seal: write key: %w", err)
	}

	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}

	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}

	return key, nil
}
