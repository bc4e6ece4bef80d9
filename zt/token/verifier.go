package token

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ztkit/ztkit/zt"
)

// Verifier verifies JWS compact tokens and turns them into Principals. It is
// safe for concurrent use. Create one with NewVerifier.
type Verifier struct {
	cfg    VerifierConfig
	static *keySet
	remote *remoteKeys
	cache  *cache

	stop     context.CancelFunc
	stopOnce sync.Once
	done     chan struct{}
}

// b64 is the unpadded base64url encoding that refuses non-zero padding bits, so
// that every token has exactly one valid encoding.
var b64 = base64.RawURLEncoding.Strict()

// NewVerifier validates cfg and returns a Verifier. With a JWKS URL it fetches
// the key set before returning and keeps it fresh until ctx is done or Close is
// called.
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}

	v := &Verifier{cfg: cfg}
	if cfg.CacheSize > 0 {
		v.cache = newCache(cfg.CacheSize)
	}

	if cfg.Keys != nil {
		v.static, err = newKeySet(ctx, cfg.Keys, true)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}

		return v, nil
	}

	if err := v.startRemote(ctx); err != nil {
		return nil, err
	}

	return v, nil
}

func (v *Verifier) startRemote(ctx context.Context) error {
	v.remote = &remoteKeys{
		url:        v.cfg.JWKSURL,
		client:     v.cfg.HTTPClient,
		timeout:    v.cfg.FetchTimeout,
		maxSize:    v.cfg.MaxJWKSSize,
		interval:   v.cfg.RefreshInterval,
		minRefetch: v.cfg.MinRefetchInterval,
		now:        v.cfg.Now,
		logger:     v.cfg.Logger,
		onChange:   v.keysChanged,
	}

	v.remote.lastAttempt = v.cfg.Now()
	if err := v.remote.fetch(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}

	// The refresher outlives NewVerifier's caller only until ctx is done or
	// Close is called; Close waits for it to return.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	unhook := context.AfterFunc(ctx, stop)
	v.stop, v.done = stop, make(chan struct{})

	first := v.remote.nextDelay()
	go func() {
		defer close(v.done)
		defer unhook()
		v.remote.refresh(bg, first)
	}()

	return nil
}

// keysChanged drops cached tokens when a key left the set or changed, so that
// a withdrawn key stops authenticating at once.
func (v *Verifier) keysChanged(old, cur *keySet) {
	if v.cache != nil && cur.removedFrom(old) {
		v.cache.clear()
	}
}

// Close stops the background JWKS refresh. It is safe to call more than once
// and on a Verifier with a static key set.
func (v *Verifier) Close() error {
	v.stopOnce.Do(func() {
		if v.stop != nil {
			v.stop()
			<-v.done
		}
	})

	return nil
}

// Verify checks raw and returns the Principal it proves. A token verified
// before is served from the cache until it expires; revocation is checked on
// every call. Every error is a *zt.Error.
//
// The returned Principal is the caller's to extend (for example with a
// Workload facet), but its Claims map and slices are shared and read-only.
func (v *Verifier) Verify(ctx context.Context, raw string) (*zt.Principal, error) {
	switch {
	case raw == "":
		return nil, zt.NewError(zt.ErrUnauthenticated, "", ReasonMissing, ErrMalformed)
	case len(raw) > v.cfg.MaxTokenSize:
		return nil, invalidf(ReasonOversized, ErrOversized, "%d bytes", len(raw))
	}

	now := v.cfg.Now()

	var key [32]byte
	if v.cache != nil {
		key = sha256.Sum256(readOnlyBytes(raw))
		if p, ok := v.cache.get(key, now); ok {
			return v.checkRevoked(ctx, clonePrincipal(p))
		}
	}

	p, expires, err := v.verify(ctx, raw, now)
	if err != nil {
		return nil, err
	}

	if v.cache == nil {
		return v.checkRevoked(ctx, p)
	}

	v.cache.put(key, p, expires, now)

	return v.checkRevoked(ctx, clonePrincipal(p))
}

// verify is the uncached path: structure, header, key, signature, claims.
func (v *Verifier) verify(
	ctx context.Context, raw string, now time.Time,
) (*zt.Principal, time.Time, error) {
	h64, p64, s64, err := split(raw)
	if err != nil {
		return nil, time.Time{}, err
	}

	hdr, err := decodeHeader(h64)
	if err != nil {
		return nil, time.Time{}, err
	}

	if !slices.Contains(v.cfg.Types, normalizeType(hdr.typ)) {
		return nil, time.Time{}, invalidf(ReasonType, ErrType, "typ %q", hdr.typ)
	}

	k, err := v.key(ctx, hdr.kid)
	if err != nil {
		return nil, time.Time{}, err
	}

	if err := checkSignature(k, hdr.alg, raw[:len(h64)+1+len(p64)], s64); err != nil {
		return nil, time.Time{}, err
	}

	payload, err := b64.DecodeString(p64)
	if err != nil {
		return nil, time.Time{}, invalidf(ReasonMalformed, ErrMalformed, "payload: %v", err)
	}

	return v.claims(payload, hdr.typ, now)
}

// split cuts a compact JWS into its three base64url parts. It refuses any
// byte outside the base64url alphabet, which Go's decoder would otherwise
// skip (CR and LF), so that exactly one spelling of a token verifies.
func split(raw string) (h64, p64, s64 string, err error) {
	dots := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '.':
			dots++
		case !isBase64URL(c):
			return "", "", "", invalidf(ReasonMalformed, ErrMalformed, "byte %#x at %d", c, i)
		}
	}

	switch {
	case dots == 4:
		return "", "", "", invalidf(ReasonEncrypted, ErrMalformed, "JWE where JWS expected")
	case dots != 2:
		return "", "", "", invalidf(ReasonMalformed, ErrMalformed, "%d parts", dots+1)
	}

	h64, rest, _ := strings.Cut(raw, ".")
	p64, s64, _ = strings.Cut(rest, ".")

	if h64 == "" || p64 == "" || s64 == "" {
		return "", "", "", invalidf(ReasonMalformed, ErrMalformed, "empty part")
	}

	return h64, p64, s64, nil
}

func isBase64URL(c byte) bool {
	return base64URLAlphabet[c]
}

// base64URLAlphabet marks the bytes of the base64url alphabet.
var base64URLAlphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}

	return t
}()

// key finds the key a token names, refetching a remote set once (rate
// limited) when the key is unknown.
func (v *Verifier) key(ctx context.Context, kid string) (*verifyKey, error) {
	if v.static != nil {
		if k := v.static.lookup(kid); k != nil {
			return k, nil
		}

		return nil, invalidf(ReasonUnknownKey, ErrUnknownKey, "kid %q", kid)
	}

	ks := v.remote.current.Load()
	if ks == nil {
		return nil, unavailable(ReasonKeysUnavailable, ErrKeysUnavailable)
	}

	if k := ks.lookup(kid); k != nil {
		return k, nil
	}

	if kid != "" && v.remote.refetch(ctx) {
		if k := v.remote.current.Load().lookup(kid); k != nil {
			return k, nil
		}
	}

	return nil, invalidf(ReasonUnknownKey, ErrUnknownKey, "kid %q", kid)
}

// checkSignature verifies the signature of input with k, refusing a header
// "alg" other than the one k is bound to.
func checkSignature(k *verifyKey, alg, input, s64 string) error {
	if alg != k.alg {
		return invalidf(ReasonAlgorithm, ErrAlgorithm, "alg %q, key is %s", alg, k.alg)
	}

	sig, err := b64.DecodeString(s64)
	if err != nil {
		return invalidf(ReasonMalformed, ErrMalformed, "signature: %v", err)
	}

	if !k.verify(readOnlyBytes(input), sig) {
		return invalid(ReasonSignature, ErrSignature)
	}

	return nil
}

func (v *Verifier) checkRevoked(ctx context.Context, p *zt.Principal) (*zt.Principal, error) {
	if v.cfg.Revocation == nil {
		return p, nil
	}

	err := v.cfg.Revocation.CheckRevoked(ctx, p)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, zt.ErrRevoked):
		return nil, zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, ReasonRevoked, err)
	default:
		return nil, unavailable(ReasonRevocationFailed, err)
	}
}

// clonePrincipal copies p and its facets, so that a caller may extend the copy
// without touching the cached original. It allocates once.
func clonePrincipal(p *zt.Principal) *zt.Principal {
	box := &principalBox{p: *p}

	if p.User != nil {
		box.u, box.p.User = *p.User, &box.u
	}

	if p.Device != nil {
		box.d, box.p.Device = *p.Device, &box.d
	}

	if p.Workload != nil {
		box.w, box.p.Workload = *p.Workload, &box.w
	}

	if p.Token != nil {
		box.t, box.p.Token = *p.Token, &box.t
	}

	return &box.p
}

// principalBox holds a Principal and its facets in one allocation.
type principalBox struct {
	p zt.Principal
	u zt.User
	d zt.Device
	w zt.Workload
	t zt.Token
}

// readOnlyBytes returns the bytes of s without copying them. The result must
// never be written to; it serves hashing and signature checks, which only
// read, on the hot path where a copy of the token would cost an allocation.
func readOnlyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
