package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// Defaults applied by NewRefreshTokens to the zero fields of a RefreshConfig.
const (
	DefaultRefreshTTL         = 24 * time.Hour
	DefaultRefreshMaxLifetime = 30 * 24 * time.Hour
)

// CodeInvalidGrant is the OAuth 2.0 token endpoint error (RFC 6749 section
// 5.2) for a refresh token that is unknown, expired, reused or revoked.
const CodeInvalidGrant = "invalid_grant"

// Reason codes of refresh token refusals.
const (
	ReasonRefreshUnknown = "refresh.unknown"
	ReasonRefreshExpired = "refresh.expired"
	ReasonRefreshReused  = "refresh.reused"
	ReasonRefreshRevoked = "refresh.revoked"
	ReasonRefreshStore   = "refresh.store_unavailable"
)

// Refresh token errors. ErrRefreshUnknown is also what a RefreshStore returns
// for a hash it does not hold.
var (
	ErrRefreshUnknown = errors.New("token: unknown refresh token")
	ErrRefreshExpired = errors.New("token: refresh token expired")
	ErrRefreshReused  = errors.New("token: refresh token reused; family revoked")
	ErrRefreshRevoked = errors.New("token: refresh token revoked")
)

// refreshPrefix marks ztkit refresh tokens, so that secret scanners and people
// can recognize one.
const refreshPrefix = "ztr_"

// RefreshRecord is what a RefreshStore keeps of one refresh token. The token
// itself is never stored, only its SHA-256.
type RefreshRecord struct {
	// Hash is the hex SHA-256 of the token.
	Hash string

	// Family groups the tokens descended from one grant; reuse of any of them
	// revokes them all.
	Family string

	// Grant is what the token may be exchanged for.
	Grant RefreshGrant

	// IssuedAt and ExpiresAt bound this token.
	IssuedAt, ExpiresAt time.Time

	// FamilyExpiresAt is the end of the family: no rotation goes past it.
	FamilyExpiresAt time.Time

	// Used is set once the token has been exchanged.
	Used bool

	// Revoked is set when the family was revoked.
	Revoked bool
}

// RefreshGrant is what a refresh token stands for.
type RefreshGrant struct {
	Subject   string
	ClientID  string
	SessionID string
	Scopes    []string
}

// RefreshStore keeps refresh token records. Implementations must make Use
// atomic: of two concurrent calls for the same hash, exactly one sees the
// record unused.
type RefreshStore interface {
	// Save stores a new record.
	Save(ctx context.Context, rec RefreshRecord) error

	// Use marks the record with hash used and returns it as it was before,
	// or ErrRefreshUnknown.
	Use(ctx context.Context, hash string) (RefreshRecord, error)

	// RevokeFamily marks every record of family revoked.
	RevokeFamily(ctx context.Context, family string) error
}

// RefreshConfig configures RefreshTokens. Store is required.
type RefreshConfig struct {
	// Store keeps the records. Required; MemoryRefreshStore suits one process.
	Store RefreshStore

	// TTL is the life of each refresh token. Zero means DefaultRefreshTTL.
	TTL time.Duration

	// MaxLifetime bounds a family from its first token: rotation never
	// extends it. Zero means DefaultRefreshMaxLifetime.
	MaxLifetime time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// RefreshTokens issues opaque refresh tokens and rotates them: each exchange
// returns a new token and uses up the old one, and presenting a used token
// again revokes its whole family, since either the client or an attacker
// holds a stolen copy.
type RefreshTokens struct {
	cfg RefreshConfig
}

// NewRefreshTokens validates cfg and returns a RefreshTokens.
func NewRefreshTokens(cfg RefreshConfig) (*RefreshTokens, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: refresh Store is required", ErrConfig)
	}

	cfg.TTL = orDefault(cfg.TTL, DefaultRefreshTTL)
	cfg.MaxLifetime = orDefault(cfg.MaxLifetime, DefaultRefreshMaxLifetime)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	return &RefreshTokens{cfg: cfg}, nil
}

// Issue starts a new family for grant and returns its first token.
func (r *RefreshTokens) Issue(ctx context.Context, grant RefreshGrant) (string, error) {
	if grant.Subject == "" {
		return "", errors.New("token: refresh grant needs a Subject")
	}

	now := r.cfg.Now()

	return r.save(ctx, RefreshRecord{
		Family:          NewID(),
		Grant:           grant,
		FamilyExpiresAt: now.Add(r.cfg.MaxLifetime),
	}, now)
}

func (r *RefreshTokens) save(
	ctx context.Context, rec RefreshRecord, now time.Time,
) (string, error) {
	raw := newRefreshToken()

	rec.Hash = hashRefresh(raw)
	rec.IssuedAt = now
	rec.ExpiresAt = minTime(now.Add(r.cfg.TTL), rec.FamilyExpiresAt)
	rec.Used, rec.Revoked = false, false

	if err := r.cfg.Store.Save(ctx, rec); err != nil {
		return "", fmt.Errorf("token: save refresh token: %w", err)
	}

	return raw, nil
}

// Rotate exchanges raw for a new token of the same family and returns it with
// the grant. Errors are *zt.Error values with Code invalid_grant; a reused
// token revokes its family and returns ErrRefreshReused.
func (r *RefreshTokens) Rotate(ctx context.Context, raw string) (string, RefreshGrant, error) {
	rec, err := r.use(ctx, raw)
	if err != nil {
		return "", RefreshGrant{}, err
	}

	next, err := r.save(ctx, rec, r.cfg.Now())
	if err != nil {
		return "", RefreshGrant{}, unavailable(ReasonRefreshStore, err)
	}

	return next, rec.Grant, nil
}

// use consumes raw and applies the reuse, revocation and expiry rules.
func (r *RefreshTokens) use(ctx context.Context, raw string) (RefreshRecord, error) {
	if !strings.HasPrefix(raw, refreshPrefix) {
		return RefreshRecord{}, refusal(ReasonRefreshUnknown, ErrRefreshUnknown)
	}

	rec, err := r.cfg.Store.Use(ctx, hashRefresh(raw))
	switch {
	case errors.Is(err, ErrRefreshUnknown):
		return RefreshRecord{}, refusal(ReasonRefreshUnknown, err)
	case err != nil:
		return RefreshRecord{}, unavailable(ReasonRefreshStore, err)
	case rec.Revoked:
		return RefreshRecord{}, refusal(ReasonRefreshRevoked, ErrRefreshRevoked)
	case rec.Used:
		if err := r.cfg.Store.RevokeFamily(ctx, rec.Family); err != nil {
			return RefreshRecord{}, unavailable(ReasonRefreshStore, err)
		}

		return RefreshRecord{}, zt.NewError(zt.ErrRevoked, CodeInvalidGrant,
			ReasonRefreshReused, ErrRefreshReused)
	case !r.cfg.Now().Before(rec.ExpiresAt):
		return RefreshRecord{}, refusal(ReasonRefreshExpired, ErrRefreshExpired)
	}

	return rec, nil
}

// Revoke revokes the family of raw, for example at sign-out. An unknown token
// is not an error.
func (r *RefreshTokens) Revoke(ctx context.Context, raw string) error {
	rec, err := r.cfg.Store.Use(ctx, hashRefresh(raw))
	if errors.Is(err, ErrRefreshUnknown) {
		return nil
	}

	if err != nil {
		return fmt.Errorf("token: revoke refresh token: %w", err)
	}

	return r.cfg.Store.RevokeFamily(ctx, rec.Family)
}

func refusal(reason string, cause error) *zt.Error {
	return zt.NewError(zt.ErrUnauthenticated, CodeInvalidGrant, reason, cause)
}

func newRefreshToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails

	return refreshPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func hashRefresh(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}

	return b
}
