package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"slices"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// MinRSABits is the smallest RSA modulus a key set may hold.
const MinRSABits = 2048

type keyKind uint8

const (
	kindECDSA keyKind = iota + 1
	kindEd25519
	kindRSA
	kindRSAPSS
	kindHMAC
)

// verifyKey is one verification key with the single algorithm it may be used
// with. The algorithm comes from the key (its "alg" member, or its type and
// curve), never from a token.
type verifyKey struct {
	kid  string
	alg  string
	kind keyKind
	hash crypto.Hash
	size int // bytes of r and of s for ECDSA

	ec     *ecdsa.PublicKey
	ed     ed25519.PublicKey
	rsa    *rsa.PublicKey
	secret []byte
}

// verify reports whether sig is a valid signature of input under k.
func (k *verifyKey) verify(input, sig []byte) bool {
	switch k.kind {
	case kindECDSA:
		if len(sig) != 2*k.size {
			return false
		}

		var buf [160]byte
		der := rawToDER(buf[:0], sig[:k.size], sig[k.size:])

		return ecdsa.VerifyASN1(k.ec, digest(k.hash, input), der)
	case kindEd25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, input, sig)
	case kindRSA:
		return rsa.VerifyPKCS1v15(k.rsa, k.hash, digest(k.hash, input), sig) == nil
	case kindRSAPSS:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.hash}
		return rsa.VerifyPSS(k.rsa, k.hash, digest(k.hash, input), sig, opts) == nil
	case kindHMAC:
		mac := hmac.New(k.hash.New, k.secret)
		mac.Write(input)

		return hmac.Equal(mac.Sum(nil), sig)
	default:
		return false
	}
}

func digest(h crypto.Hash, input []byte) []byte {
	switch h {
	case crypto.SHA256:
		sum := sha256.Sum256(input)
		return sum[:]
	case crypto.SHA384:
		sum := sha512.Sum384(input)
		return sum[:]
	default:
		sum := sha512.Sum512(input)
		return sum[:]
	}
}

// rawToDER appends to dst the ASN.1 DER encoding of the ECDSA signature whose
// fixed-size big-endian halves are r and s (RFC 7518, section 3.4).
func rawToDER(dst, r, s []byte) []byte {
	r, s = derInt(r), derInt(s)
	body := 2 + len(r) + 2 + len(s) + pad(r) + pad(s)

	dst = append(dst, 0x30)
	if body >= 0x80 {
		dst = append(dst, 0x81)
	}
	dst = append(dst, byte(body))

	for _, n := range [][]byte{r, s} {
		dst = append(dst, 0x02, byte(len(n)+pad(n)))
		if pad(n) == 1 {
			dst = append(dst, 0)
		}
		dst = append(dst, n...)
	}

	return dst
}

// derInt strips leading zero bytes, keeping one byte for zero.
func derInt(n []byte) []byte {
	for len(n) > 1 && n[0] == 0 {
		n = n[1:]
	}

	return n
}

func pad(n []byte) int {
	if n[0]&0x80 != 0 {
		return 1
	}

	return 0
}

// algorithms lists every algorithm a key may carry, with its family and hash.
var algorithms = map[string]struct {
	kind keyKind
	hash crypto.Hash
}{
	"ES256": {kindECDSA, crypto.SHA256},
	"ES384": {kindECDSA, crypto.SHA384},
	"ES512": {kindECDSA, crypto.SHA512},
	"EdDSA": {kindEd25519, 0},
	"RS256": {kindRSA, crypto.SHA256},
	"RS384": {kindRSA, crypto.SHA384},
	"RS512": {kindRSA, crypto.SHA512},
	"PS256": {kindRSAPSS, crypto.SHA256},
	"PS384": {kindRSAPSS, crypto.SHA384},
	"PS512": {kindRSAPSS, crypto.SHA512},
	"HS256": {kindHMAC, crypto.SHA256},
	"HS384": {kindHMAC, crypto.SHA384},
	"HS512": {kindHMAC, crypto.SHA512},
}

// curveAlgorithms binds each elliptic curve to its one JWS algorithm.
var curveAlgorithms = map[elliptic.Curve]string{
	elliptic.P256(): "ES256",
	elliptic.P384(): "ES384",
	elliptic.P521(): "ES512",
}

// errKeyUnusable is the cause of a key that a key set cannot hold.
var errKeyUnusable = errors.New("token: unusable key")

// newVerifyKey converts a JWK into a verification key bound to one algorithm.
// Symmetric keys are refused unless allowSymmetric is set and the key names
// its HMAC algorithm.
func newVerifyKey(k jwk.Key, allowSymmetric bool) (*verifyKey, error) {
	if use := k.KeyUsage(); use != "" && use != "sig" {
		return nil, fmt.Errorf("%w: use %q", errKeyUnusable, use)
	}

	if ops := k.KeyOps(); len(ops) > 0 && !slices.Contains(ops, jwk.KeyOpVerify) {
		return nil, fmt.Errorf("%w: key_ops lacks verify", errKeyUnusable)
	}

	var raw any
	if err := k.Raw(&raw); err != nil {
		return nil, fmt.Errorf("%w: %w", errKeyUnusable, err)
	}

	vk := &verifyKey{kid: k.KeyID(), alg: k.Algorithm().String()}
	if err := vk.bind(raw, allowSymmetric); err != nil {
		return nil, err
	}

	return vk, nil
}

// bind sets the key material and checks that the algorithm fits it, inferring
// the algorithm from the key when the JWK names none.
func (k *verifyKey) bind(raw any, allowSymmetric bool) error {
	switch key := raw.(type) {
	case *ecdsa.PrivateKey:
		return k.bind(&key.PublicKey, allowSymmetric)
	case *ecdsa.PublicKey:
		k.ec = key
		k.size = (key.Curve.Params().BitSize + 7) / 8
		if k.alg == "" {
			k.alg = curveAlgorithms[key.Curve]
		}

		if curveAlgorithms[key.Curve] != k.alg {
			return fmt.Errorf("%w: curve does not match %q", errKeyUnusable, k.alg)
		}
	case ed25519.PrivateKey:
		return k.bind(key.Public(), allowSymmetric)
	case ed25519.PublicKey:
		k.ed = key
		if k.alg == "" {
			k.alg = "EdDSA"
		}
	case *rsa.PrivateKey:
		return k.bind(&key.PublicKey, allowSymmetric)
	case *rsa.PublicKey:
		if key.N.BitLen() < MinRSABits {
			return fmt.Errorf("%w: RSA key of %d bits", errKeyUnusable, key.N.BitLen())
		}

		k.rsa = key
		if k.alg == "" {
			k.alg = "RS256"
		}
	case []byte:
		if !allowSymmetric || k.alg == "" {
			return fmt.Errorf("%w: symmetric key not allowed here", errKeyUnusable)
		}

		k.secret = key
	default:
		return fmt.Errorf("%w: key type %T", errKeyUnusable, raw)
	}

	return k.bindAlgorithm()
}

func (k *verifyKey) bindAlgorithm() error {
	a, ok := algorithms[k.alg]
	if !ok {
		return fmt.Errorf("%w: algorithm %q", errKeyUnusable, k.alg)
	}

	k.kind, k.hash = a.kind, a.hash

	fits := map[keyKind]bool{
		kindECDSA:   k.ec != nil,
		kindEd25519: k.ed != nil,
		kindRSA:     k.rsa != nil,
		kindRSAPSS:  k.rsa != nil,
		kindHMAC:    k.secret != nil && len(k.secret) >= k.hash.Size(),
	}
	if !fits[k.kind] {
		return fmt.Errorf("%w: algorithm %q does not fit the key", errKeyUnusable, k.alg)
	}

	return nil
}

// keySet is an immutable set of verification keys indexed by key ID.
type keySet struct {
	byKID map[string]*verifyKey

	// only is the key to use for a token without "kid"; it is set only when
	// the set holds exactly one key.
	only *verifyKey

	// skipped counts keys of the source set that could not be used.
	skipped int
}

// errNoUsableKey is the cause when a key set holds no usable key.
var errNoUsableKey = errors.New("token: key set has no usable key")

// newKeySet converts a JWK set, skipping keys that cannot be used for
// verification and refusing a set with duplicate key IDs.
func newKeySet(ctx context.Context, set jwk.Set, allowSymmetric bool) (*keySet, error) {
	ks := &keySet{byKID: map[string]*verifyKey{}}

	var last *verifyKey
	for it := set.Keys(ctx); it.Next(ctx); {
		k, err := newVerifyKey(it.Pair().Value.(jwk.Key), allowSymmetric)
		if err != nil {
			ks.skipped++
			continue
		}

		if _, dup := ks.byKID[k.kid]; dup {
			return nil, fmt.Errorf("token: key set has duplicate kid %q", k.kid)
		}

		ks.byKID[k.kid] = k
		last = k
	}

	switch len(ks.byKID) {
	case 0:
		return nil, errNoUsableKey
	case 1:
		ks.only = last
	}

	return ks, nil
}

// lookup returns the key for kid; an empty kid selects the only key of a
// one-key set.
func (ks *keySet) lookup(kid string) *verifyKey {
	if kid == "" {
		return ks.only
	}

	return ks.byKID[kid]
}

// removedFrom reports whether old holds a key ID that ks lacks, or the same ID
// bound to another key.
func (ks *keySet) removedFrom(old *keySet) bool {
	if old == nil {
		return false
	}

	for kid, ok := range old.byKID {
		nk := ks.byKID[kid]
		if nk == nil || nk.alg != ok.alg || !samePublic(nk, ok) {
			return true
		}
	}

	return false
}

func samePublic(a, b *verifyKey) bool {
	switch {
	case a.ec != nil:
		return a.ec.Equal(b.ec)
	case a.ed != nil:
		return a.ed.Equal(b.ed)
	case a.rsa != nil:
		return a.rsa.Equal(b.rsa)
	default:
		return hmac.Equal(a.secret, b.secret)
	}
}
