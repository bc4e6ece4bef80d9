package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

// auditTrail writes a closed trail of n events signed with a new key and
// returns its folder, the public key file and the last checkpoint.
func auditTrail(t *testing.T, n int) (string, string, chain.Checkpoint) {
	t.Helper()

	keys := t.TempDir()
	if _, err := execute(t, auditKeygenCmd(), "",
		"--out", filepath.Join(keys, "key.pem"), "--pub", filepath.Join(keys, "pub.pem")); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile(filepath.Join(keys, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}

	priv, err := chain.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}

	var last chain.Checkpoint
	dir := t.TempDir()
	w, err := chain.Open(context.Background(), chain.Config{
		Dir: dir, Key: priv, CheckpointEvery: 5,
		OnCheckpoint: func(c chain.Checkpoint) { last = c },
	})
	if err != nil {
		t.Fatal(err)
	}

	for i := range n {
		e := audit.Event{ID: fmt.Sprint("ev-", i), Time: time.Now(), Kind: "decision", Decision: "allow"}
		if _, err := w.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}

	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	return dir, filepath.Join(keys, "pub.pem"), last
}

func TestAuditVerifyIntactTrail(t *testing.T) {
	dir, pub, _ := auditTrail(t, 20)

	out, err := execute(t, auditVerifyCmd(), "", dir, "--key", pub)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	for _, want := range []string{"OK", "20 events", "closed      true"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAuditVerifyReportsTheTamperedRecord(t *testing.T) {
	dir, pub, anchor := auditTrail(t, 20)

	files, err := chain.Files(dir)
	if err != nil {
		t.Fatal(err)
	}

	data, _ := os.ReadFile(files[0])
	edited := strings.Replace(string(data), `"id":"ev-7","time"`, `"id":"ev-X","time"`, 1)
	if err := os.WriteFile(files[0], []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := execute(t, auditVerifyCmd(), "", dir, "--key", pub)
	if !errors.Is(err, errTampered) {
		t.Fatalf("err = %v\n%s", err, out)
	}

	if !strings.Contains(out, "TAMPERED") || !strings.Contains(out, "modified") ||
		!strings.Contains(out, filepath.Base(files[0])) {
		t.Fatalf("output:\n%s", out)
	}

	// JSON output says the same.
	out, err = execute(t, auditVerifyCmd(), "", dir, "--key", pub, "--json")
	if !errors.Is(err, errTampered) {
		t.Fatalf("json: err = %v", err)
	}

	var got struct {
		OK       bool
		Tampered struct{ Problem string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.OK || got.Tampered.Problem != "modified" {
		t.Fatalf("json output %v:\n%s", err, out)
	}

	// An anchor file is read and checked.
	anchorFile := filepath.Join(t.TempDir(), "anchor.json")
	b, _ := json.Marshal(anchor)
	if err := os.WriteFile(anchorFile, b, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := execute(t, auditVerifyCmd(), "", dir, "--key", pub, "--anchor", anchorFile); !errors.Is(err, errTampered) {
		t.Fatalf("with anchor: err = %v", err)
	}
}

// TestAuditVerifyOpenTrail: a trail whose writer still runs has no closing
// checkpoint; verify says so, points at --allow-open, and passes with it.
func TestAuditVerifyOpenTrail(t *testing.T) {
	keys := t.TempDir()
	if _, err := execute(t, auditKeygenCmd(), "",
		"--out", filepath.Join(keys, "key.pem"), "--pub", filepath.Join(keys, "pub.pem")); err != nil {
		t.Fatal(err)
	}

	data, _ := os.ReadFile(filepath.Join(keys, "key.pem"))
	priv, err := chain.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	w, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv, CheckpointEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close(context.Background()) })

	for i := range 7 {
		e := audit.Event{ID: fmt.Sprint("ev-", i), Time: time.Now(), Kind: "decision", Decision: "allow"}
		if _, err := w.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}

	pub := filepath.Join(keys, "pub.pem")
	out, err := execute(t, auditVerifyCmd(), "", dir, "--key", pub)
	if !errors.Is(err, errTampered) || !strings.Contains(out, "truncated") ||
		!strings.Contains(out, "--allow-open") {
		t.Fatalf("open trail without --allow-open: %v\n%s", err, out)
	}

	if out, err := execute(t, auditVerifyCmd(), "", dir, "--key", pub, "--allow-open"); err != nil ||
		!strings.Contains(out, "OK") {
		t.Fatalf("open trail with --allow-open: %v\n%s", err, out)
	}
}

func TestAuditVerifyBadInput(t *testing.T) {
	dir, pub, _ := auditTrail(t, 2)

	badKey := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(badKey, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := map[string][]string{
		"no key":         {dir},
		"bad key":        {dir, "--key", badKey},
		"missing key":    {dir, "--key", filepath.Join(dir, "absent.pem")},
		"missing dir":    {filepath.Join(dir, "absent"), "--key", pub},
		"missing anchor": {dir, "--key", pub, "--anchor", filepath.Join(dir, "absent.json")},
		"no argument":    {"--key", pub},
	}

	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := execute(t, auditVerifyCmd(), "", args...); err == nil || errors.Is(err, errTampered) {
				t.Fatalf("err = %v, want a usage or input error", err)
			}
		})
	}
}

func TestAuditKeygenRefusesToOverwrite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "key.pem")

	if _, err := execute(t, auditKeygenCmd(), "", "--out", out); err != nil {
		t.Fatal(err)
	}

	if _, err := execute(t, auditKeygenCmd(), "", "--out", out); err == nil {
		t.Fatal("overwrote an existing key")
	}

	info, err := os.Stat(out)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", info.Mode(), err)
	}
}
