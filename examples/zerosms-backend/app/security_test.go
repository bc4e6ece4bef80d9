package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ztkit/ztkit/examples/zerosms-backend/app/apptest"
	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

// TestDPoPProofs: every device request needs a fresh proof, signed by the
// enrolled key, for exactly this method and URL, bound to this token.
func TestDPoPProofs(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := enroll(t, env, "ES256", posture(nil))

	at, err := dev.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}

	other, _ := client.GenerateKey("ES256")
	target := dev.URL("/v1/device/messages")
	get := http.MethodGet

	proof := func(key any, method, url, token string) string {
		k := dev.Key
		if key != nil {
			k = other
		}

		p, err := client.Proof(k, method, url, token, time.Now())
		if err != nil {
			t.Fatal(err)
		}

		return p
	}

	call := func(auth, p string) int {
		return status(dev.Call(ctx, get, "/v1/device/messages", auth, p, nil, nil))
	}

	fresh := proof(nil, get, target, at)
	if got := call("DPoP "+at, fresh); got != 0 {
		t.Fatalf("good proof: status %d", got)
	}

	cases := []struct {
		name, auth, proof string
	}{
		{"replayed proof", "DPoP " + at, fresh},
		{"proof of another key", "DPoP " + at, proof(other, get, target, at)},
		{"proof for another method", "DPoP " + at, proof(nil, http.MethodPost, target, at)},
		{"proof for another URL", "DPoP " + at, proof(nil, get, dev.URL("/v1/devices"), at)},
		{"proof for another token", "DPoP " + at, proof(nil, get, target, at+"x")},
		{"proof without token hash", "DPoP " + at, proof(nil, get, target, "")},
		{"no proof", "DPoP " + at, ""},
		{"device token as bearer", "Bearer " + at, ""},
		{"device token as bearer with proof", "Bearer " + at, proof(nil, get, target, at)},
		{"garbage proof", "DPoP " + at, "not.a.jwt"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := call(tc.auth, tc.proof); got != http.StatusUnauthorized &&
				got != http.StatusBadRequest {
				t.Errorf("status %d, want 401 or 400", got)
			}
		})
	}
}

// TestTokenEndpointNeedsTheEnrolledKey: a proof from another key gets no
// device token, nor does a proof for another device's URL.
func TestTokenEndpointNeedsTheEnrolledKey(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := enroll(t, env, "EdDSA", posture(nil))

	thief := env.Device(t, "EdDSA")
	thief.DeviceID = dev.DeviceID

	if _, err := thief.Token(ctx); status(err) != http.StatusUnauthorized {
		t.Fatalf("token with a foreign key: %v, want 401", err)
	}

	path := "/v1/devices/" + dev.DeviceID + "/token"

	p, _ := client.Proof(dev.Key, http.MethodPost, dev.URL("/v1/devices/other/token"), "",
		time.Now())
	if err := dev.Call(ctx, http.MethodPost, path, "", p, nil, nil); status(err) != 401 {
		t.Fatalf("proof for another URL: %v, want 401", err)
	}
}

// TestRoleSeparation: a device token cannot manage devices, and a user's
// platform token cannot upload.
func TestRoleSeparation(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := enroll(t, env, "ES256", posture(nil))

	if err := dev.Device(ctx, http.MethodGet, "/v1/devices", nil, nil); status(err) != 403 {
		t.Errorf("device token lists devices: %v, want 403", err)
	}

	user := env.SignIn(t)
	err := dev.Call(ctx, http.MethodGet, "/v1/device/messages", "Bearer "+user.AccessToken,
		"", nil, nil)

	if status(err) != http.StatusForbidden {
		t.Errorf("user token reads device messages: %v, want 403", err)
	}

	other := env.SignInAs(t, env.Auditor).AccessToken
	if _, err := dev.Postures(ctx, other, dev.DeviceID); status(err) != http.StatusNotFound {
		t.Errorf("another user reads the device's postures: %v, want 404", err)
	}

	if err := dev.Revoke(ctx, other, dev.DeviceID); status(err) != http.StatusNotFound {
		t.Errorf("another user revokes the device: %v, want 404", err)
	}

	if err := dev.Revoke(ctx, user.AccessToken, "0123456789abcdef0123456789abcdef"); status(err) != 404 {
		t.Errorf("revoking an unknown device: %v, want 404", err)
	}
}

// TestBadInput: each class of bad input gets a clear 4xx.
func TestBadInput(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	user := env.SignIn(t)
	dev := env.Device(t, "ES256")
	pub, _ := client.PublicJWK(dev.Key)
	priv, _ := json.Marshal(dev.Key)

	enrollment := func(mut func(*server.Enrollment)) server.Enrollment {
		in := server.Enrollment{Name: "phone", Key: pub, Posture: posture(nil),
			RefreshToken: user.RefreshToken}
		mut(&in)

		return in
	}

	cases := []struct {
		name string
		in   any
		want int
	}{
		{"private key", enrollment(func(e *server.Enrollment) { e.Key = priv }), 400},
		{"symmetric key", enrollment(func(e *server.Enrollment) {
			e.Key = json.RawMessage(`{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0"}`)
		}), 400},
		{"P-384 key", enrollment(func(e *server.Enrollment) {
			k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			j, _ := jwk.FromRaw(k.Public())
			e.Key, _ = json.Marshal(j)
		}), 400},
		{"no key", enrollment(func(e *server.Enrollment) { e.Key = nil }), 400},
		{"bad posture", enrollment(func(e *server.Enrollment) {
			e.Posture.AppSignatureSHA256 = "zz"
		}), 400},
		{"empty name", enrollment(func(e *server.Enrollment) { e.Name = "" }), 400},
		{"control in name", enrollment(func(e *server.Enrollment) { e.Name = "a\u202eb" }), 400},
		{"no refresh token", enrollment(func(e *server.Enrollment) { e.RefreshToken = "" }), 400},
		{"spent refresh token", enrollment(func(e *server.Enrollment) {
			e.RefreshToken = "not-a-refresh-token"
		}), 400},
		{"unknown field", map[string]any{"name": "x", "admin": true}, 400},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := dev.Call(ctx, http.MethodPost, "/v1/devices", "Bearer "+user.AccessToken, "",
				tc.in, nil)
			if status(err) != tc.want {
				t.Errorf("got %v, want %d", err, tc.want)
			}
		})
	}

	// Batches: refused whole, or per message.
	enrolled := enroll(t, env, "ES256", posture(nil))
	ok := upload.Message{ClientID: "m1", Seq: 1, Sender: "VM-BANK", Body: "hello",
		ReceivedAt: time.Now()}

	if _, err := enrolled.Upload(ctx, nil); status(err) != 400 {
		t.Errorf("empty batch: %v, want 400", err)
	}

	tooMany := make([]upload.Message, upload.MaxMessages+1)
	if _, err := enrolled.Upload(ctx, tooMany); status(err) != 400 {
		t.Errorf("too many messages: %v, want 400", err)
	}

	huge := ok
	huge.Body = strings.Repeat("x", upload.MaxBatchBytes+1)
	if _, err := enrolled.Upload(ctx, []upload.Message{huge}); status(err) != 400 {
		t.Errorf("messages beyond the batch limit: %v, want 400", err)
	}

	huge.Body = strings.Repeat("x", 2*upload.MaxBatchBytes)
	if _, err := enrolled.Upload(ctx, []upload.Message{huge}); status(err) != 413 {
		t.Errorf("oversized body: %v, want 413", err)
	}

	bad := []upload.Message{ok, ok, {ClientID: "bad id!", Seq: 2, Sender: "x", Body: "y",
		ReceivedAt: time.Now()}, {ClientID: "m3", Seq: 3, Sender: "x", Body: "y"}}

	resp, err := enrolled.Upload(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"", upload.ReasonRepeated, upload.ReasonClientID, upload.ReasonReceivedAt}
	for i, r := range resp.Results {
		if r.Reason != want[i] {
			t.Errorf("message %d: reason %q, want %q", i, r.Reason, want[i])
		}
	}

	var d device.Posture
	if err := enrolled.Device(ctx, http.MethodPost, "/v1/device/posture", d, nil); status(err) != 400 {
		t.Errorf("empty posture: %v, want 400", err)
	}
}
