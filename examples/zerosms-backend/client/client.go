// Package client is the device side of the ZeroSMS API, as the Android app
// implements it and the zerosms simulator uses it: a device key kept in a
// file readable by its owner only, DPoP proofs (RFC 9449) signed with it,
// the device token fetched from the token endpoint and renewed before it
// expires, and the calls of the API.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/ztkit/ztkit/zt/token"
)

// APIError is a refusal from the server: its status and problem code.
type APIError struct {
	Status int
	Code   string
	Detail string
	// Challenge is the WWW-Authenticate header, for 401 answers.
	Challenge string
}

// Error describes the refusal.
func (e *APIError) Error() string {
	return fmt.Sprintf("client: %d %s %s", e.Status, e.Code, e.Detail)
}

// GenerateKey returns a new device key: "ES256" (P-256) or "EdDSA"
// (Ed25519).
func GenerateKey(alg string) (jwk.Key, error) {
	k, err := token.GenerateKey(alg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}

	return k, nil
}

// SaveKey writes a private key to path, readable by its owner only. It
// refuses to overwrite a file.
func SaveKey(path string, key jwk.Key) error {
	b, err := json.Marshal(key)
	if err != nil {
		return fmt.Errorf("client: key: %w", err)
	}

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("client: key: %w", err)
	}

	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return fmt.Errorf("client: key: %w", err)
	}

	return f.Close()
}

// LoadKey reads a private key written by SaveKey; it refuses a file that
// others may read.
func LoadKey(path string) (jwk.Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("client: key: %w", err)
	}

	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("client: key %s is readable by others (%v); chmod 600 it",
			path, fi.Mode().Perm())
	}

	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("client: key: %w", err)
	}

	k, err := jwk.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("client: key: %w", err)
	}

	return k, nil
}

// PublicJWK returns the public part of key as JSON.
func PublicJWK(key jwk.Key) (json.RawMessage, error) {
	if key == nil {
		return nil, errors.New("client: no key")
	}

	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}

	return json.Marshal(pub)
}

// Proof returns a DPoP proof signed by key for one request, bound to
// accessToken when it is not empty.
func Proof(key jwk.Key, method, target, accessToken string, now time.Time) (string, error) {
	claims := map[string]any{"jti": token.NewID(), "htm": method, "htu": target,
		"iat": now.Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}

	pub, err := key.PublicKey()
	if err != nil {
		return "", fmt.Errorf("client: proof: %w", err)
	}

	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("client: proof: %w", err)
	}

	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, token.TypeDPoP)
	_ = hdr.Set(jws.JWKKey, pub)

	alg := jwa.SignatureAlgorithm(key.Algorithm().String())

	signed, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("client: proof: %w", err)
	}

	return string(signed), nil
}

// Client calls the ZeroSMS API. Set DeviceID and Key for device calls.
type Client struct {
	// BaseURL is the server's base URL.
	BaseURL *url.URL

	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client

	// DeviceID and Key identify the device.
	DeviceID string
	Key      jwk.Key

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}

	return c.HTTP
}

// Call sends a request with the given Authorization and DPoP headers (empty
// ones are left out) and decodes a JSON answer into out.
func (c *Client) Call(ctx context.Context, method, path, auth, proof string, in, out any) error {
	var body io.Reader = http.NoBody

	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: %w", err)
		}

		body = bytes.NewReader(b)
	}

	req, err := http.NewRequestWithContext(ctx, method, c.URL(path), body)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}

	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	if auth != "" {
		req.Header.Set("Authorization", auth)
	}

	if proof != "" {
		req.Header.Set("DPoP", proof)
	}

	return c.do(req, out)
}

func (c *Client) do(req *http.Request, out any) error {
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer resp.Body.Close()

	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}

	if resp.StatusCode >= 300 {
		e := &APIError{Status: resp.StatusCode, Challenge: resp.Header.Get("WWW-Authenticate")}
		var p struct{ Code, Detail, Title string }
		if json.Unmarshal(b, &p) == nil {
			e.Code, e.Detail = p.Code, p.Detail+p.Title
		}

		return e
	}

	if out == nil || len(b) == 0 {
		return nil
	}

	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("client: answer: %w", err)
	}

	return nil
}

// URL returns the absolute URL of an API path.
func (c *Client) URL(path string) string {
	return c.BaseURL.JoinPath(path).String()
}

// Token returns a device token, fetching a new one from the token endpoint
// (with a proof signed by the device key) when the last is about to expire.
func (c *Client) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.token != "" && time.Now().Add(30*time.Second).Before(c.expires) {
		return c.token, nil
	}

	path := "/v1/devices/" + url.PathEscape(c.DeviceID) + "/token"

	proof, err := Proof(c.Key, http.MethodPost, c.URL(path), "", time.Now())
	if err != nil {
		return "", err
	}

	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}

	if err := c.Call(ctx, http.MethodPost, path, "", proof, nil, &t); err != nil {
		return "", err
	}

	c.token, c.expires = t.AccessToken, time.Now().Add(time.Duration(t.ExpiresIn)*time.Second)

	return c.token, nil
}

// Device calls the API as the device: a device token and a fresh proof.
func (c *Client) Device(ctx context.Context, method, path string, in, out any) error {
	if c.Key == nil || c.DeviceID == "" {
		return errors.New("client: no device enrolled")
	}

	at, err := c.Token(ctx)
	if err != nil {
		return err
	}

	proof, err := Proof(c.Key, method, c.URL(path), at, time.Now())
	if err != nil {
		return err
	}

	return c.Call(ctx, method, path, token.SchemeDPoP+" "+at, proof, in, out)
}
