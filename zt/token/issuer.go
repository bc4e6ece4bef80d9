package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Defaults applied by NewIssuer to the zero fields of an IssuerConfig.
const (
	DefaultAccessTokenTTL = 5 * time.Minute
	DefaultJWKSMaxAge     = 5 * time.Minute
	DefaultPublishLead    = DefaultRefreshInterval + DefaultJWKSMaxAge
)

// IssuerConfig configures an Issuer. Issuer is required; every zero field takes
// the default documented with it.
type IssuerConfig struct {
	// Issuer is the "iss" of every token. Required.
	Issuer string

	// Audience is the "aud" of tokens whose AccessToken names none.
	Audience []string

	// Algorithm is ES256 or EdDSA, for keys the Issuer generates. Empty means
	// ES256.
	Algorithm string

	// Key is the first signing key, a private JWK with "alg" ES256 or EdDSA.
	// Nil means a key is generated. Keys live in memory only.
	Key jwk.Key

	// TTL is the lifetime of access tokens, and the longest an AccessToken may
	// ask for. Zero means DefaultAccessTokenTTL.
	TTL time.Duration

	// PublishLead is how long Rotate publishes a new key before it signs, so
	// that every verifier has fetched it first. Zero means DefaultPublishLead
	// (a verifier's default refresh interval plus the JWKS cache lifetime).
	PublishLead time.Duration

	// JWKSMaxAge is the Cache-Control max-age of the JWKS handler. Zero means
	// DefaultJWKSMaxAge.
	JWKSMaxAge time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Issuer signs access tokens and publishes its public keys. It is safe for
// concurrent use.
//
// TODO(issuer-keys): keys live in one process's memory; replicas that issue
// tokens need a shared key store before they can rotate together.
type Issuer struct {
	cfg IssuerConfig

	mu   sync.RWMutex
	keys []*issuerKey // ordered by activation
}

// issuerKey is one signing key and the window in which it is published.
type issuerKey struct {
	private jwk.Key
	public  jwk.Key
	alg     jwa.SignatureAlgorithm

	// activeFrom is when the key starts signing; it is published before.
	activeFrom time.Time

	// retireAt is when the key leaves the JWKS, once a successor signs and its
	// last token has expired; zero while it has no successor.
	retireAt time.Time
}

// NewIssuer validates cfg and returns an Issuer with one active key.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	if cfg.Issuer == "" {
		return nil, fmt.Errorf("%w: Issuer is required", ErrConfig)
	}

	cfg.Algorithm = orDefault(cfg.Algorithm, ES256)
	cfg.TTL = orDefault(cfg.TTL, DefaultAccessTokenTTL)
	cfg.PublishLead = orDefault(cfg.PublishLead, DefaultPublishLead)
	cfg.JWKSMaxAge = orDefault(cfg.JWKSMaxAge, DefaultJWKSMaxAge)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	key := cfg.Key
	if key == nil {
		var err error
		if key, err = GenerateKey(cfg.Algorithm); err != nil {
			return nil, err
		}
	}

	iss := &Issuer{cfg: cfg}
	if err := iss.AddKey(key, time.Time{}); err != nil {
		return nil, err
	}

	return iss, nil
}

// errNotPrivate is the cause when a signing key lacks its private part.
var errNotPrivate = errors.New("token: signing key is not a private key")

// AddKey adds a private signing key that starts signing at activeFrom and is
// published from now on. Keys that sign before it are retired once their last
// token can have expired. Use it to import a key generated elsewhere; Rotate
// generates one.
func (i *Issuer) AddKey(key jwk.Key, activeFrom time.Time) error {
	ik, err := newIssuerKey(key)
	if err != nil {
		return err
	}

	ik.activeFrom = activeFrom

	i.mu.Lock()
	defer i.mu.Unlock()

	for _, k := range i.keys {
		if k.public.KeyID() == ik.public.KeyID() {
			return fmt.Errorf("token: issuer already has key %q", k.public.KeyID())
		}

		if k.retireAt.IsZero() && !k.activeFrom.After(activeFrom) {
			k.retireAt = activeFrom.Add(i.cfg.TTL + DefaultLeeway)
		}
	}

	i.keys = append(i.keys, ik)
	sortKeys(i.keys)

	return nil
}

func newIssuerKey(key jwk.Key) (*issuerKey, error) {
	if private, err := jwk.IsPrivateKey(key); err != nil || !private {
		return nil, errNotPrivate
	}

	alg := key.Algorithm().String()
	if alg != ES256 && alg != EdDSA {
		return nil, fmt.Errorf("%w: %q", ErrAlgorithmUnsupported, alg)
	}

	if err := describeKey(key, alg); err != nil {
		return nil, err
	}

	public, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("token: public key: %w", err)
	}

	if _, err := newVerifyKey(public, false); err != nil {
		return nil, err
	}

	return &issuerKey{private: key, public: public, alg: jwa.SignatureAlgorithm(alg)}, nil
}

func sortKeys(keys []*issuerKey) {
	for a := 1; a < len(keys); a++ {
		for b := a; b > 0 && keys[b].activeFrom.Before(keys[b-1].activeFrom); b-- {
			keys[b], keys[b-1] = keys[b-1], keys[b]
		}
	}
}

// Rotate generates a new key, publishes it at once and lets it sign after
// PublishLead; the current key keeps signing until then and stays published
// until its last token has expired. It returns the new key's ID.
func (i *Issuer) Rotate(_ context.Context) (string, error) {
	key, err := GenerateKey(i.cfg.Algorithm)
	if err != nil {
		return "", err
	}

	if err := i.AddKey(key, i.cfg.Now().Add(i.cfg.PublishLead)); err != nil {
		return "", err
	}

	return key.KeyID(), nil
}

// signer returns the key that signs at now: the last one already active.
func (i *Issuer) signer(now time.Time) *issuerKey {
	i.mu.RLock()
	defer i.mu.RUnlock()

	var active *issuerKey
	for _, k := range i.keys {
		if !k.activeFrom.After(now) {
			active = k
		}
	}

	return active
}

// PublicKeys returns the keys published at the current time: pending keys,
// the signing key, and retired keys whose tokens may still be valid.
func (i *Issuer) PublicKeys() (jwk.Set, error) {
	now := i.cfg.Now()
	set := jwk.NewSet()

	i.mu.Lock()
	defer i.mu.Unlock()

	kept := i.keys[:0]
	for _, k := range i.keys {
		if !k.retireAt.IsZero() && !now.Before(k.retireAt) {
			continue
		}

		kept = append(kept, k)
		if err := set.AddKey(k.public); err != nil {
			return nil, fmt.Errorf("token: publish key: %w", err)
		}
	}
	i.keys = kept

	return set, nil
}

// Sign signs claims as a compact JWS with the current key and the given "typ"
// header. It adds nothing to the claims; Issue is the way to make access
// tokens. Sign serves other token types, such as Security Event Tokens.
func (i *Issuer) Sign(_ context.Context, typ string, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token: encode claims: %w", err)
	}

	k := i.signer(i.cfg.Now())
	if k == nil {
		return "", errors.New("token: no active signing key")
	}

	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typ); err != nil {
		return "", fmt.Errorf("token: header: %w", err)
	}

	if err := hdr.Set(jws.KeyIDKey, k.public.KeyID()); err != nil {
		return "", fmt.Errorf("token: header: %w", err)
	}

	signed, err := jws.Sign(payload, jws.WithKey(k.alg, k.private, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}

	return string(signed), nil
}

// NewID returns a random token identifier with 128 bits of entropy.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails

	return base64.RawURLEncoding.EncodeToString(b[:])
}
