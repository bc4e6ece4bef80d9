package public

import (
	"context"
	"fmt"

	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/zt"
)

// Sealer encrypts tokens for cookies with AES-256-GCM under a key that never
// leaves the public service, so that a cookie that leaks (a log, a proxy)
// holds no usable token. Each cookie is bound to its name as associated
// data, so that a sealed refresh token cannot pass as a session.
type Sealer = seal.Sealer

// NewSealer returns a Sealer with a fresh random key: sessions end when the
// public service restarts, as its signing key does.
func NewSealer() (*Sealer, error) {
	s, err := seal.Random()
	if err != nil {
		return nil, fmt.Errorf("public: %w", err)
	}

	return s, nil
}

// TokenVerifier verifies an access token.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (*zt.Principal, error)
}

// SessionVerifier returns a verifier of the session cookie's value for the
// ztkit middleware: it opens the cookie with s, then verifies the token
// inside with v.
func SessionVerifier(s *Sealer, v TokenVerifier) TokenVerifier {
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
