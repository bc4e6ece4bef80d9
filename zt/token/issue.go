package token

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AccessToken describes an access token to issue. Subject and ClientID are
// required; the Issuer sets "iss", "iat", "exp" and "jti".
type AccessToken struct {
	// Subject is the "sub": a user ID, or a SPIFFE ID for a workload.
	Subject string

	// ClientID is the OAuth client the token is issued to.
	ClientID string

	// Audience is the "aud"; nil means the Issuer's default audience.
	Audience []string

	// Scopes become the space-separated "scope" claim.
	Scopes []string

	// Roles become the "roles" claim.
	Roles []string

	// SessionID is the "sid" of the sign-in session.
	SessionID string

	// AuthTime is when the user last authenticated ("auth_time").
	AuthTime time.Time

	// AuthMethods are the methods used ("amr"), for example "pwd", "otp".
	AuthMethods []string

	// DeviceID identifies a registered device ("device_id").
	DeviceID string

	// ConfirmationJKT binds the token to a DPoP key ("cnf.jkt"): the RFC 7638
	// thumbprint of the device's public key.
	ConfirmationJKT string

	// TTL shortens the token's life below the Issuer's TTL; zero means the
	// Issuer's TTL. It may not exceed it.
	TTL time.Duration

	// Extra holds further claims. It may not set a claim the fields above or
	// the Issuer set.
	Extra map[string]any
}

// registered lists the claims Issue sets itself.
var registered = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "roles",
	"sid", "auth_time", "amr", "device_id", "cnf",
}

// Issue signs an RFC 9068 access token ("typ" at+jwt) for at.
func (i *Issuer) Issue(ctx context.Context, at AccessToken) (string, error) {
	claims, err := i.accessClaims(at)
	if err != nil {
		return "", err
	}

	return i.Sign(ctx, TypeAccessToken, claims)
}

func (i *Issuer) accessClaims(at AccessToken) (map[string]any, error) {
	switch {
	case at.Subject == "" || at.ClientID == "":
		return nil, fmt.Errorf("token: access token needs Subject and ClientID")
	case at.TTL > i.cfg.TTL || at.TTL < 0:
		return nil, fmt.Errorf("token: TTL %s outside (0, %s]", at.TTL, i.cfg.TTL)
	}

	aud := at.Audience
	if aud == nil {
		aud = i.cfg.Audience
	}

	if len(aud) == 0 {
		return nil, fmt.Errorf("token: access token needs an audience")
	}

	now := i.cfg.Now()
	ttl := orDefault(at.TTL, i.cfg.TTL)
	claims := map[string]any{
		"iss": i.cfg.Issuer, "sub": at.Subject, "aud": aud, "client_id": at.ClientID,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": NewID(),
	}

	setIf(claims, "scope", strings.Join(at.Scopes, " "), len(at.Scopes) > 0)
	setIf(claims, "roles", at.Roles, len(at.Roles) > 0)
	setIf(claims, "sid", at.SessionID, at.SessionID != "")
	setIf(claims, "auth_time", at.AuthTime.Unix(), !at.AuthTime.IsZero())
	setIf(claims, "amr", at.AuthMethods, len(at.AuthMethods) > 0)
	setIf(claims, "device_id", at.DeviceID, at.DeviceID != "")
	setIf(claims, "cnf", map[string]string{"jkt": at.ConfirmationJKT}, at.ConfirmationJKT != "")

	for name, v := range at.Extra {
		if _, taken := claims[name]; taken || slices.Contains(registered, name) {
			return nil, fmt.Errorf("token: extra claim %q is reserved", name)
		}
		claims[name] = v
	}

	return claims, nil
}

func setIf(m map[string]any, name string, v any, cond bool) {
	if cond {
		m[name] = v
	}
}

// TTL returns the lifetime of the access tokens i issues.
func (i *Issuer) TTL() time.Duration {
	return i.cfg.TTL
}

// JWKSHandler returns an http.Handler that serves the published public keys as
// a JWK Set (RFC 7517) with Cache-Control and ETag headers, answering
// If-None-Match with 304.
func (i *Issuer) JWKSHandler() http.Handler {
	maxAge := strconv.Itoa(int(i.cfg.JWKSMaxAge / time.Second))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}

		set, err := i.PublicKeys()
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)
			return
		}

		body, err := json.Marshal(set)
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)
			return
		}

		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`

		h := w.Header()
		h.Set("Content-Type", "application/jwk-set+json")
		h.Set("Cache-Control", "public, max-age="+maxAge)
		h.Set("ETag", etag)

		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}

		_, _ = w.Write(body)
	})
}
