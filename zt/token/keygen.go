package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Signing algorithms an Issuer and GenerateKey support.
const (
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// ErrAlgorithmUnsupported is returned for a signing algorithm other than ES256
// and EdDSA.
var ErrAlgorithmUnsupported = errors.New("token: unsupported signing algorithm")

// GenerateKey returns a new private signing key as a JWK for alg (ES256 or
// EdDSA), with "alg", "use" set to "sig", and "kid" set to its RFC 7638
// SHA-256 thumbprint.
func GenerateKey(alg string) (jwk.Key, error) {
	var raw any
	var err error

	switch alg {
	case ES256:
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("%w: %q", ErrAlgorithmUnsupported, alg)
	}

	if err != nil {
		return nil, fmt.Errorf("token: generate %s key: %w", alg, err)
	}

	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, fmt.Errorf("token: generate %s key: %w", alg, err)
	}

	if err := describeKey(key, alg); err != nil {
		return nil, err
	}

	return key, nil
}

// describeKey sets "alg", "use" and, when absent, "kid" to the key's thumbprint.
func describeKey(key jwk.Key, alg string) error {
	if err := key.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(alg)); err != nil {
		return fmt.Errorf("token: key alg: %w", err)
	}

	if err := key.Set(jwk.KeyUsageKey, jwk.ForSignature); err != nil {
		return fmt.Errorf("token: key use: %w", err)
	}

	if key.KeyID() != "" {
		return nil
	}

	kid, err := Thumbprint(key)
	if err != nil {
		return err
	}

	if err := key.Set(jwk.KeyIDKey, kid); err != nil {
		return fmt.Errorf("token: key kid: %w", err)
	}

	return nil
}

// Thumbprint returns the base64url RFC 7638 SHA-256 thumbprint of key's public
// part, the value of a DPoP "cnf.jkt" claim.
func Thumbprint(key jwk.Key) (string, error) {
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("token: thumbprint: %w", err)
	}

	return base64.RawURLEncoding.EncodeToString(sum), nil
}
