package server_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
)

func openStore(tb testing.TB) *store.Store {
	tb.Helper()

	sealer, err := seal.Random()
	if err != nil {
		tb.Fatal(err)
	}

	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "z.db"), sealer)
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { _ = st.Close() })

	return st
}

// TestRevocationsSurviveRestart: a server started on a store with a revoked
// device puts it back on the revocation list.
func TestRevocationsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Now().UTC()
	p := device.Posture{AppSignatureSHA256: strings.Repeat("ab", 32), OSVersion: "Android 15",
		ReportedAt: now}

	for _, id := range []string{"kept", "gone"} {
		d := &store.Device{ID: id, UserID: "u1", Name: id, JKT: "jkt-" + id, JWK: []byte(`{}`),
			CreatedAt: now, Posture: p}
		if err := st.CreateDevice(ctx, d, store.Delegation{}); err != nil {
			t.Fatal(err)
		}
	}

	if err := st.RevokeDevice(ctx, "u1", "gone", now); err != nil {
		t.Fatal(err)
	}

	key, _ := token.GenerateKey("ES256")
	iss, _ := token.NewIssuer(token.IssuerConfig{Issuer: "https://z.test",
		Audience: []string{server.Audience}, Key: key})
	list := revoke.NewList(revoke.Config{})

	_, err := server.New(ctx, server.Config{Store: st, Users: noUsers{},
		Finance: &finance.Client{}, Issuer: iss, IssuerName: "https://z.test", Revocation: list})
	if err != nil {
		t.Fatal(err)
	}

	if _, ok := list.Revoked(revoke.Device, "gone"); !ok {
		t.Error("revoked device not on the list after a restart")
	}

	if _, ok := list.Revoked(revoke.Device, "kept"); ok {
		t.Error("active device on the revocation list")
	}
}
