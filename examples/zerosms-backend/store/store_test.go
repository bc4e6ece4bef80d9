package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

func posture(at time.Time) device.Posture {
	return device.Posture{AppSignatureSHA256: strings.Repeat("0f", 32), OSVersion: "Android 15",
		ReportedAt: at}
}

// testKey is the sealing key of the tests' stores.
var testKey = make([]byte, seal.KeySize)

func open(t *testing.T, path string) *store.Store {
	t.Helper()

	return openWith(t, path, testKey)
}

func openWith(t *testing.T, path string, key []byte) *store.Store {
	t.Helper()

	sealer, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}

	s, err := store.Open(context.Background(), path, sealer)
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = s.Close() })

	return s
}

// TestLedgerSurvivesRestart: a batch applied before a restart is a
// duplicate after it, because the ledger loads what the store kept.
func TestLedgerSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "z.db")
	now := time.Now().UTC()

	s := open(t, path)
	d := &store.Device{ID: "d1", UserID: "u1", Name: "p", JKT: "k", JWK: []byte(`{}`),
		CreatedAt: now, Posture: posture(now)}

	if err := s.CreateDevice(ctx, d, store.Delegation{}); err != nil {
		t.Fatal(err)
	}

	b := &upload.Batch{DeviceID: "d1", Messages: []upload.Message{
		{ClientID: "a", Seq: 1, Sender: "VM-X", Body: "one", ReceivedAt: now},
		{ClientID: "b", Seq: 2, Sender: "VM-X", Body: "two", ReceivedAt: now},
	}}

	first := &upload.Ledger{Store: s.AddMessages, Load: s.LoadMessages}
	if r, err := first.Apply(ctx, b); err != nil || r.Accepted != 2 {
		t.Fatalf("first: %+v, %v", r, err)
	}

	_ = s.Close()
	s = open(t, path)

	again := &upload.Ledger{Store: s.AddMessages, Load: s.LoadMessages}

	r, err := again.Apply(ctx, b)
	if err != nil || r.Duplicates != 2 || r.HighWaterMark != 2 {
		t.Fatalf("after restart: %+v, %v", r, err)
	}

	b.Messages[0].Body = "changed"
	if r, _ := again.Apply(ctx, b); r.Results[0].Reason != upload.ReasonConflict {
		t.Fatalf("changed resend: %+v", r.Results[0])
	}
}

// TestPostureHistory keeps reports in order, refuses an older one, and
// bounds the history.
func TestPostureHistory(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "z.db"))
	t0 := time.Now().UTC()

	d := &store.Device{ID: "d1", UserID: "u1", Name: "p", JKT: "k", JWK: []byte(`{}`),
		CreatedAt: t0, Posture: posture(t0)}
	if err := s.CreateDevice(ctx, d, store.Delegation{}); err != nil {
		t.Fatal(err)
	}

	if err := s.CreateDevice(ctx, &store.Device{ID: "d2", JKT: "k", JWK: []byte(`{}`),
		Posture: posture(t0)}, store.Delegation{}); !errors.Is(err, store.ErrKeyInUse) {
		t.Fatalf("same key twice: %v", err)
	}

	for i := 1; i <= store.MaxPostureHistory+5; i++ {
		p := posture(t0.Add(time.Duration(i) * time.Second))
		p.Rooted = i%2 == 0

		if err := s.ReportPosture(ctx, "d1", p); err != nil {
			t.Fatal(err)
		}
	}

	if err := s.ReportPosture(ctx, "d1", posture(t0)); !errors.Is(err, device.ErrInvalidPosture) {
		t.Fatalf("older report: %v", err)
	}

	h, err := s.PostureHistory(ctx, "d1")
	if err != nil || len(h) != store.MaxPostureHistory {
		t.Fatalf("history: %d reports, %v", len(h), err)
	}

	wantRooted := (store.MaxPostureHistory+5)%2 == 0

	got, err := s.Device(ctx, "d1")
	if err != nil || got.Posture.Rooted != wantRooted {
		t.Fatalf("latest posture: %+v, %v", got, err)
	}

	if err := s.RevokeDevice(ctx, "someone else", "d1", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke by another user: %v", err)
	}
}

// TestDelegationIsSealedAtRest: the tokens of a delegated session never
// reach the database file in clear; they open with the key and for their
// own device only.
func TestDelegationIsSealedAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "z.db")
	now := time.Now().UTC()
	del := store.Delegation{RefreshToken: "refresh-SECRET-1234567890",
		AccessToken: "access-SECRET-0987654321", AccessExp: now.Add(time.Minute).Round(0)}

	s := open(t, path)
	for _, id := range []string{"d1", "d2"} {
		d := &store.Device{ID: id, UserID: "u1", Name: id, JKT: "k-" + id, JWK: []byte(`{}`),
			CreatedAt: now, Posture: posture(now)}
		if err := s.CreateDevice(ctx, d, del); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.Delegation(ctx, "d1")
	if err != nil || got.RefreshToken != del.RefreshToken || got.AccessToken != del.AccessToken ||
		!got.AccessExp.Equal(del.AccessExp) {
		t.Fatalf("Delegation = %+v, %v", got, err)
	}

	rotated := store.Delegation{RefreshToken: "refresh-SECRET-rotated", AccessToken: "access-SECRET-2",
		AccessExp: now}
	if err := s.SetDelegation(ctx, "d1", rotated); err != nil {
		t.Fatal(err)
	}

	_ = s.Close()

	// Every file of the database (WAL included) is free of the secrets.
	files, _ := filepath.Glob(filepath.Join(dir, "z.db*"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}

		if bytes.Contains(raw, []byte("SECRET")) {
			t.Fatalf("%s holds a token in clear", f)
		}
	}

	// Another key opens nothing.
	other := make([]byte, seal.KeySize)
	other[0] = 1
	if _, err := openWith(t, path, other).Delegation(ctx, "d1"); !errors.Is(err, seal.ErrUnsealed) {
		t.Fatalf("Delegation under another key: %v, want ErrUnsealed", err)
	}

	// A sealed value moved to another device's row does not open there.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	if _, err := db.Exec(`UPDATE devices SET refresh_token =
		(SELECT refresh_token FROM devices WHERE id = 'd1') WHERE id = 'd2'`); err != nil {
		t.Fatal(err)
	}

	if _, err := open(t, path).Delegation(ctx, "d2"); !errors.Is(err, seal.ErrUnsealed) {
		t.Fatalf("Delegation with another device's token: %v, want ErrUnsealed", err)
	}
}
