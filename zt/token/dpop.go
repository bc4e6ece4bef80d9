package token

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/ztkit/ztkit/zt"
)

// TypeDPoP is the "typ" of a DPoP proof (RFC 9449).
const TypeDPoP = "dpop+jwt"

// Defaults applied by NewDPoPVerifier to the zero fields of a DPoPConfig.
const (
	DefaultDPoPMaxAge      = time.Minute
	DefaultDPoPLeeway      = 5 * time.Second
	DefaultReplayCacheSize = 100_000
)

// DefaultDPoPAlgorithms are the proof algorithms accepted when DPoPConfig
// names none.
var DefaultDPoPAlgorithms = []string{"ES256", "EdDSA", "ES384", "PS256", "RS256"}

// Reason codes of DPoP refusals.
const (
	ReasonDPoPMissing  = "dpop.missing"
	ReasonDPoPInvalid  = "dpop.invalid"
	ReasonDPoPMethod   = "dpop.htm"
	ReasonDPoPURL      = "dpop.htu"
	ReasonDPoPTime     = "dpop.iat"
	ReasonDPoPReplay   = "dpop.replay"
	ReasonDPoPATHash   = "dpop.ath"
	ReasonDPoPBinding  = "dpop.jkt"
	ReasonDPoPReplayDB = "dpop.replay_unavailable"
)

// CodeInvalidDPoPProof is the RFC 9449 error code for a bad DPoP proof.
const CodeInvalidDPoPProof = "invalid_dpop_proof"

// ErrDPoP is the cause of every DPoP proof refusal.
var ErrDPoP = errors.New("token: invalid DPoP proof")

// ReplayCache remembers DPoP proof identifiers. Seen records id until expires
// and reports whether it was already recorded; it must be atomic.
type ReplayCache interface {
	Seen(ctx context.Context, id string, expires time.Time) (bool, error)
}

// DPoPConfig configures a DPoPVerifier. Its zero value is usable.
type DPoPConfig struct {
	// MaxAge is how old a proof's "iat" may be. Zero means DefaultDPoPMaxAge.
	MaxAge time.Duration

	// Leeway is how far in the future a proof's "iat" may be. Zero means
	// DefaultDPoPLeeway.
	Leeway time.Duration

	// Algorithms lists the accepted proof algorithms; symmetric ones are never
	// accepted. Nil means DefaultDPoPAlgorithms.
	Algorithms []string

	// Replay remembers proof identifiers so that each proof is used once. Nil
	// means an in-memory cache of DefaultReplayCacheSize entries, which suits
	// a single replica.
	Replay ReplayCache

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// DPoPVerifier checks DPoP proofs (RFC 9449). It is safe for concurrent use.
//
// TODO(dpop-nonce): server-provided nonces (RFC 9449 section 8) are not
// issued or checked; the iat window and the replay cache bound reuse instead.
type DPoPVerifier struct {
	cfg DPoPConfig
}

// NewDPoPVerifier returns a DPoPVerifier with cfg's defaults applied.
func NewDPoPVerifier(cfg DPoPConfig) (*DPoPVerifier, error) {
	cfg.MaxAge = orDefault(cfg.MaxAge, DefaultDPoPMaxAge)
	cfg.Leeway = orDefault(cfg.Leeway, DefaultDPoPLeeway)
	if cfg.Algorithms == nil {
		cfg.Algorithms = DefaultDPoPAlgorithms
	}

	for _, alg := range cfg.Algorithms {
		if a, ok := algorithms[alg]; !ok || a.kind == kindHMAC {
			return nil, fmt.Errorf("%w: DPoP algorithm %q", ErrConfig, alg)
		}
	}

	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	if cfg.Replay == nil {
		cfg.Replay = newReplayCache(DefaultReplayCacheSize, cfg.Now)
	}

	return &DPoPVerifier{cfg: cfg}, nil
}

// DPoPRequest is what a proof must match.
type DPoPRequest struct {
	// Method is the HTTP method of the request.
	Method string

	// URL is the request URL as the client addressed it (scheme and host
	// included); query and fragment are ignored.
	URL *url.URL

	// AccessToken, when set, must be the token the proof's "ath" hashes.
	AccessToken string

	// JKT, when set, is the thumbprint (the access token's "cnf.jkt") the
	// proof's key must have.
	JKT string
}

// DPoPProof is a verified proof.
type DPoPProof struct {
	// JKT is the RFC 7638 thumbprint of the proof's key.
	JKT string

	// ID is the proof's "jti".
	ID string

	// IssuedAt is the proof's "iat".
	IssuedAt time.Time

	// Key is the proof's public key.
	Key jwk.Key
}

// dpopHeader is the protected header of a proof.
type dpopHeader struct {
	alg, typ string
	jwk      []byte
}

func (h *dpopHeader) decode(h64 string) error {
	buf := make([]byte, maxHeaderSize)

	members, err := headerMembers(h64, buf, make([]member, 0, maxMembers))
	if err != nil {
		return err
	}

	for _, m := range members {
		if err := h.member(m.name, buf[m.start:m.end]); err != nil {
			return err
		}
	}

	return nil
}

func (h *dpopHeader) member(name string, value []byte) error {
	switch name {
	case "alg":
		return headerString(name, value, &h.alg, ReasonDPoPInvalid, ErrDPoP)
	case "typ":
		return headerString(name, value, &h.typ, ReasonDPoPInvalid, ErrDPoP)
	case "jwk":
		h.jwk = value
		return nil
	case "crit", "jku", "x5u", "x5c", "enc", "b64", "zip":
		return dpopRefusal(ReasonDPoPInvalid, "header %q not allowed", name)
	default:
		return nil
	}
}

func dpopRefusal(reason, format string, args ...any) *zt.Error {
	cause := fmt.Errorf("%w: "+format, append([]any{ErrDPoP}, args...)...)
	return zt.NewError(zt.ErrUnauthenticated, CodeInvalidDPoPProof, reason, cause)
}

// Verify checks proof against req and returns it. Every error is a *zt.Error
// with Code invalid_dpop_proof (or Kind ErrUnavailable when the replay cache
// cannot answer).
func (d *DPoPVerifier) Verify(
	ctx context.Context, proof string, req DPoPRequest,
) (*DPoPProof, error) {
	if proof == "" {
		return nil, dpopRefusal(ReasonDPoPMissing, "no proof")
	}

	if len(proof) > DefaultMaxTokenSize {
		return nil, dpopRefusal(ReasonDPoPInvalid, "proof too large")
	}

	h64, p64, s64, err := split(proof)
	if err != nil {
		return nil, dpopRefusal(ReasonDPoPInvalid, "%v", err)
	}

	key, vk, err := d.proofKey(h64)
	if err != nil {
		return nil, err
	}

	sig, err := b64.DecodeString(s64)
	if err != nil || !vk.verify([]byte(proof[:len(h64)+1+len(p64)]), sig) {
		return nil, dpopRefusal(ReasonDPoPInvalid, "bad signature")
	}

	out, err := d.checkClaims(ctx, p64, req, key)
	if err != nil {
		return nil, err
	}

	return out, nil
}

// proofKey checks the header and returns the embedded public key.
func (d *DPoPVerifier) proofKey(h64 string) (jwk.Key, *verifyKey, error) {
	var h dpopHeader
	if err := h.decode(h64); err != nil {
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "%v", err)
	}

	switch {
	case normalizeType(h.typ) != TypeDPoP:
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "typ %q", h.typ)
	case !slices.Contains(d.cfg.Algorithms, h.alg):
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "alg %q", h.alg)
	case h.jwk == nil:
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "no jwk header")
	}

	key, err := jwk.ParseKey(h.jwk)
	if err != nil {
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "jwk: %v", err)
	}

	if private, err := jwk.IsPrivateKey(key); err != nil || private {
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "jwk is not a public key")
	}

	if key.Algorithm().String() == "" {
		_ = key.Set(jwk.AlgorithmKey, h.alg)
	}

	vk, err := newVerifyKey(key, false)
	if err != nil || vk.alg != h.alg {
		return nil, nil, dpopRefusal(ReasonDPoPInvalid, "jwk does not fit alg %q", h.alg)
	}

	return key, vk, nil
}

// dpopClaims are the claims of a proof.
type dpopClaims struct {
	JTI   string   `json:"jti"`
	HTM   string   `json:"htm"`
	HTU   string   `json:"htu"`
	IAT   *float64 `json:"iat"`
	ATH   string   `json:"ath"`
	Nonce string   `json:"nonce"`
}

func (d *DPoPVerifier) checkClaims(
	ctx context.Context, p64 string, req DPoPRequest, key jwk.Key,
) (*DPoPProof, error) {
	payload, err := b64.DecodeString(p64)
	if err != nil {
		return nil, dpopRefusal(ReasonDPoPInvalid, "payload: %v", err)
	}

	var c dpopClaims
	if _, err := scanObject(payload, nil); err != nil {
		return nil, dpopRefusal(ReasonDPoPInvalid, "claims: %v", err)
	}

	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, dpopRefusal(ReasonDPoPInvalid, "claims: %v", err)
	}

	jkt, err := Thumbprint(key)
	if err != nil {
		return nil, dpopRefusal(ReasonDPoPInvalid, "%v", err)
	}

	if err := d.checkRequest(&c, req, jkt); err != nil {
		return nil, err
	}

	iat, err := d.checkTime(c.IAT)
	if err != nil {
		return nil, err
	}

	if err := d.checkReplay(ctx, jkt, c.JTI, iat); err != nil {
		return nil, err
	}

	return &DPoPProof{JKT: jkt, ID: c.JTI, IssuedAt: iat, Key: key}, nil
}

// checkRequest binds the proof to the request, the access token and the key.
func (d *DPoPVerifier) checkRequest(c *dpopClaims, req DPoPRequest, jkt string) error {
	switch {
	case c.JTI == "" || len(c.JTI) > 256:
		return dpopRefusal(ReasonDPoPInvalid, "bad jti")
	case c.HTM != req.Method:
		return dpopRefusal(ReasonDPoPMethod, "htm %q for %s", c.HTM, req.Method)
	case !sameTarget(c.HTU, req.URL):
		return dpopRefusal(ReasonDPoPURL, "htu %q", c.HTU)
	case req.JKT != "" && subtle.ConstantTimeCompare([]byte(jkt), []byte(req.JKT)) != 1:
		return dpopRefusal(ReasonDPoPBinding, "key does not match cnf.jkt")
	}

	if req.AccessToken != "" {
		sum := sha256.Sum256([]byte(req.AccessToken))
		want := base64.RawURLEncoding.EncodeToString(sum[:])

		if subtle.ConstantTimeCompare([]byte(c.ATH), []byte(want)) != 1 {
			return dpopRefusal(ReasonDPoPATHash, "ath does not match the access token")
		}
	}

	return nil
}

func (d *DPoPVerifier) checkTime(iat *float64) (time.Time, error) {
	if iat == nil {
		return time.Time{}, dpopRefusal(ReasonDPoPTime, "no iat")
	}

	t := numericDate(*iat)
	now := d.cfg.Now()

	switch {
	case t.IsZero():
		return time.Time{}, dpopRefusal(ReasonDPoPTime, "bad iat")
	case t.After(now.Add(d.cfg.Leeway)):
		return time.Time{}, dpopRefusal(ReasonDPoPTime, "iat in the future")
	case t.Before(now.Add(-d.cfg.MaxAge)):
		return time.Time{}, dpopRefusal(ReasonDPoPTime, "proof too old")
	}

	return t, nil
}

func (d *DPoPVerifier) checkReplay(ctx context.Context, jkt, jti string, iat time.Time) error {
	until := iat.Add(d.cfg.MaxAge + d.cfg.Leeway)

	seen, err := d.cfg.Replay.Seen(ctx, jkt+":"+jti, until)
	switch {
	case err != nil:
		return zt.NewError(zt.ErrUnavailable, "", ReasonDPoPReplayDB, err)
	case seen:
		return dpopRefusal(ReasonDPoPReplay, "jti already used")
	}

	return nil
}

// sameTarget compares a proof's "htu" with the request URL, ignoring query and
// fragment (RFC 9449 section 4.3), with scheme and host compared without case
// and default ports dropped.
func sameTarget(htu string, u *url.URL) bool {
	if u == nil {
		return false
	}

	p, err := url.Parse(htu)
	if err != nil || p.Opaque != "" || p.User != nil {
		return false
	}

	return strings.EqualFold(p.Scheme, u.Scheme) &&
		normalHost(p) == normalHost(u) &&
		cmpPath(p) == cmpPath(u)
}

func normalHost(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" || (port == "443" && strings.EqualFold(u.Scheme, "https")) ||
		(port == "80" && strings.EqualFold(u.Scheme, "http")) {
		return host
	}

	return host + ":" + port
}

func cmpPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}

	return "/"
}
