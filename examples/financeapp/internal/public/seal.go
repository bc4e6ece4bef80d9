package public

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/ztkit/ztkit/zt"
)

// Sealer encrypts tokens for cookies with AES-256-GCM under a key that never
// leaves the public service, so that a cookie that leaks (a log, a proxy)
// holds no usable token. Each cookie is bound to its name as associated
// data, so that a sealed refresh token cannot pass as a session.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer with a fresh random key: sessions end when the
// public service restarts, as its signing key does.
func NewSealer() (*Sealer, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("public: sealing key: %w", err)
	}

	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("public: sealing key: %w", err)
	}

	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("public: sealing key: %w", err)
	}

	return &Sealer{aead: aead}, nil
}

// errUnsealed is the cause of a cookie that does not open.
var errUnsealed = errors.New("public: cookie does not open")

// Seal encrypts value for the cookie name.
func (s *Sealer) Seal(name, value string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)

	out := s.aead.Seal(nonce, nonce, []byte(value), []byte(name))

	return base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value sealed for the cookie name.
func (s *Sealer) Open(name, sealed string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errUnsealed
	}

	n := s.aead.NonceSize()

	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(name))
	if err != nil {
		return "", errUnsealed
	}

	return string(plain), nil
}

// TokenVerifier verifies an access token.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (*zt.Principal, error)
}

// SessionVerifier returns a verifier of the session cookie's value for the
// ztkit middleware: it opens the cookie, then verifies the token inside.
func (s *Sealer) SessionVerifier(v TokenVerifier) TokenVerifier {
	return sessionVerifier{s: s, v: v}
}

type sessionVerifier struct {
	s *Sealer
	v TokenVerifier
}

func (sv sessionVerifier) Verify(ctx context.Context, raw string) (*zt.Principal, error) {
	tok, err := sv.s.Open(SessionCookie, raw)
	if err != nil {
		return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"session.unsealed", err)
	}

	return sv.v.Verify(ctx, tok)
}
