package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// noUsers refuses every platform token; the benchmark calls device routes only.
type noUsers struct{}

func (noUsers) Verify(context.Context, string) (*zt.Principal, error) {
	return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, "test", nil)
}

// BenchmarkDeviceRequest measures one device request through the whole
// chain: DPoP proof and device token checks, device and posture lookup in
// SQLite, revocation, the Rego decision, audit off, and the handler
// (GET /v1/device/messages on an empty device). Proofs are signed before
// the timer starts.
func BenchmarkDeviceRequest(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)

	key, _ := client.GenerateKey("ES256")
	pub, _ := client.PublicJWK(key)

	jwkJSON, jkt, err := server.DeviceKey(pub)
	if err != nil {
		b.Fatal(err)
	}

	now := time.Now().UTC()
	err = st.CreateDevice(ctx, &store.Device{ID: "0123456789abcdef0123456789abcdef",
		UserID: "u1", Name: "p", JKT: jkt, JWK: jwkJSON, CreatedAt: now,
		Posture: device.Posture{AppSignatureSHA256: strings.Repeat("ab", 32),
			OSVersion: "Android 15", ReportedAt: now}}, store.Delegation{})
	if err != nil {
		b.Fatal(err)
	}

	signing, _ := token.GenerateKey("ES256")
	iss, err := token.NewIssuer(token.IssuerConfig{Issuer: "https://zerosms.test",
		Audience: []string{server.Audience}, Key: signing})
	if err != nil {
		b.Fatal(err)
	}

	srv, err := server.New(ctx, server.Config{Store: st, Users: noUsers{},
		Finance: &finance.Client{}, Issuer: iss, IssuerName: "https://zerosms.test"})
	if err != nil {
		b.Fatal(err)
	}

	ts := httptest.NewServer(srv)
	defer ts.Close()

	base, _ := url.Parse(ts.URL)
	c := &client.Client{BaseURL: base, HTTP: ts.Client(), Key: key,
		DeviceID: "0123456789abcdef0123456789abcdef"}

	at, err := c.Token(ctx)
	if err != nil {
		b.Fatal(err)
	}

	target := c.URL("/v1/device/messages")
	proofs := make([]string, b.N)

	for i := range proofs {
		if proofs[i], err = client.Proof(key, http.MethodGet, target, at, time.Now()); err != nil {
			b.Fatal(err)
		}
	}

	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "DPoP "+at)

	b.ReportAllocs()
	b.ResetTimer()

	for i := 0; i < b.N; i++ {
		r := req.Clone(ctx)
		r.Header.Set("DPoP", proofs[i])

		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)

		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
