package chain_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/chain"
)

func newKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	return pub, priv
}

func event(i int) audit.Event {
	return audit.Event{
		ID: fmt.Sprint("ev-", i), Time: time.Unix(1700000000, 0).UTC(), Kind: "decision",
		Actor:  audit.Actor{User: "alice", Session: "s1"},
		Action: "transactions.read", Decision: "allow", Reasons: []string{"allowed"},
	}
}

// writeTrail writes n events and closes the writer.
func writeTrail(t *testing.T, cfg chain.Config, n int) {
	t.Helper()

	w, err := chain.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	for i := range n {
		if _, err := w.Append(context.Background(), event(i)); err != nil {
			t.Fatal(err)
		}
	}

	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWriteVerifyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)

	var anchors []chain.Checkpoint
	cfg := chain.Config{
		Dir: dir, Key: priv, CheckpointEvery: 10,
		OnCheckpoint: func(c chain.Checkpoint) { anchors = append(anchors, c) },
	}
	writeTrail(t, cfg, 95)

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}

	if rep.Events != 95 || !rep.Closed || rep.Checkpoints < 10 || len(rep.Files) != 1 {
		t.Fatalf("report = %+v", rep)
	}

	if len(anchors) == 0 {
		t.Fatal("OnCheckpoint never called")
	}

	anchor := anchors[len(anchors)-1]
	if _, err := chain.Verify(dir, chain.Options{
		Keys: []ed25519.PublicKey{pub}, Anchor: &anchor,
	}); err != nil {
		t.Fatalf("verify with anchor: %v", err)
	}
}

func TestReopenContinuesChain(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)
	cfg := chain.Config{Dir: dir, Key: priv}

	writeTrail(t, cfg, 3)
	writeTrail(t, cfg, 4)

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}

	if rep.Events != 7 || rep.Restarts != 1 || rep.Unclean != 0 {
		t.Fatalf("report = %+v", rep)
	}
}

func TestRotationContinuesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)
	writeTrail(t, chain.Config{Dir: dir, Key: priv, MaxFileBytes: 4096}, 200)

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}

	if len(rep.Files) < 3 || rep.Events != 200 {
		t.Fatalf("files %d events %d", len(rep.Files), rep.Events)
	}

	// Removing a middle file is a deletion; removing the last one a
	// truncation.
	files, _ := chain.Files(dir)
	mid := files[len(files)/2]
	data, _ := os.ReadFile(mid)
	must(t, os.Remove(mid))
	expectTamper(t, dir, pub, chain.Deleted)
	must(t, os.WriteFile(mid, data, 0o600))

	must(t, os.Remove(files[len(files)-1]))
	expectTamper(t, dir, pub, chain.Truncated)
}

func must(t *testing.T, err error) {
	t.Helper()

	if err != nil {
		t.Fatal(err)
	}
}

func expectTamper(t *testing.T, dir string, pub ed25519.PublicKey, want chain.Problem) *chain.TamperError {
	t.Helper()

	_, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})

	var te *chain.TamperError
	if !errors.As(err, &te) || !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("err = %v, want a TamperError (%s)", err, want)
	}

	if te.Problem != want {
		t.Fatalf("problem = %s (%v), want %s", te.Problem, te, want)
	}

	return te
}

// editLines rewrites the single trail file in dir with f.
func editLines(t *testing.T, dir string, f func(lines []string) []string) {
	t.Helper()

	files, err := chain.Files(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v %v", files, err)
	}

	data, err := os.ReadFile(files[0])
	must(t, err)

	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}

	must(t, os.WriteFile(files[0], []byte(strings.Join(f(lines), "")), 0o600))
}

// eventLine returns the index of the line holding event id.
func eventLine(t *testing.T, lines []string, id string) int {
	t.Helper()

	for i, l := range lines {
		if strings.Contains(l, `"id":"`+id+`"`) {
			return i
		}
	}

	t.Fatalf("%s not found", id)

	return -1
}

func TestTamperingDetected(t *testing.T) {
	tests := []struct {
		name string
		want chain.Problem
		seq  uint64 // 0: not checked
		edit func(t *testing.T, lines []string) []string
	}{
		{"edit a field", chain.Modified, 0, func(t *testing.T, l []string) []string {
			i := eventLine(t, l, "ev-20")
			l[i] = strings.Replace(l[i], `"decision":"allow"`, `"decision":"deny"`, 1)
			return l
		}},
		{"edit and rehash", chain.Modified, 0, func(t *testing.T, l []string) []string {
			i := eventLine(t, l, "ev-20")
			l[i] = rehash(t, strings.Replace(l[i], "alice", "mallory", 1))
			return l
		}},
		{"delete a record", chain.Deleted, 0, func(t *testing.T, l []string) []string {
			i := eventLine(t, l, "ev-20")
			return append(l[:i:i], l[i+1:]...)
		}},
		{"swap two records", chain.Reordered, 0, func(t *testing.T, l []string) []string {
			i := eventLine(t, l, "ev-20")
			l[i], l[i+1] = l[i+1], l[i]
			return l
		}},
		{"truncate", chain.Truncated, 0, func(t *testing.T, l []string) []string {
			return l[:eventLine(t, l, "ev-30")]
		}},
		{"torn last line", chain.Truncated, 0, func(t *testing.T, l []string) []string {
			last := l[len(l)-1]
			l[len(l)-1] = last[:len(last)/2]
			return l
		}},
		{"forged checkpoint", chain.ForgedCheckpoint, 0, func(t *testing.T, l []string) []string {
			for i, s := range l {
				if strings.Contains(s, `"type":"checkpoint"`) && i > 10 {
					l[i] = rehash(t, forgeSignature(s))
					return l
				}
			}
			t.Fatal("no checkpoint")
			return nil
		}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			pub, priv := newKey(t)
			writeTrail(t, chain.Config{Dir: dir, Key: priv, CheckpointEvery: 10}, 50)

			editLines(t, dir, func(l []string) []string { return tc.edit(t, l) })
			te := expectTamper(t, dir, pub, tc.want)
			t.Log(te)
		})
	}
}

func TestRewrittenChainFailsCheckpoint(t *testing.T) {
	// An attacker without the key who rewrites every hash after an edit is
	// caught by the next checkpoint.
	dir := t.TempDir()
	pub, priv := newKey(t)
	writeTrail(t, chain.Config{Dir: dir, Key: priv, CheckpointEvery: 10}, 50)

	editLines(t, dir, func(l []string) []string {
		i := eventLine(t, l, "ev-20")
		l[i] = strings.Replace(l[i], "alice", "mallory", 1)
		return rechain(t, l)
	})
	expectTamper(t, dir, pub, chain.ForgedCheckpoint)
}

func TestWrongKeyFails(t *testing.T) {
	dir := t.TempDir()
	_, priv := newKey(t)
	other, _ := newKey(t)
	writeTrail(t, chain.Config{Dir: dir, Key: priv}, 5)
	expectTamper(t, dir, other, chain.ForgedCheckpoint)
}

func TestAnchorDetectsTruncationToACheckpoint(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)

	var anchors []chain.Checkpoint
	writeTrail(t, chain.Config{
		Dir: dir, Key: priv, CheckpointEvery: 10,
		OnCheckpoint: func(c chain.Checkpoint) { anchors = append(anchors, c) },
	}, 50)

	// Cut right after an early checkpoint: without the anchor only an
	// open trail would be reported.
	editLines(t, dir, func(l []string) []string { return l[:15] })

	last := anchors[len(anchors)-1]
	_, err := chain.Verify(dir, chain.Options{
		Keys: []ed25519.PublicKey{pub}, Anchor: &last, AllowOpen: true,
	})

	var te *chain.TamperError
	if !errors.As(err, &te) || te.Problem != chain.Truncated {
		t.Fatalf("err = %v, want truncation before the anchor", err)
	}
}

func TestVerifyBadInput(t *testing.T) {
	pub, _ := newKey(t)

	if _, err := chain.Verify(t.TempDir(), chain.Options{}); err == nil {
		t.Fatal("verify without keys succeeded")
	}

	if _, err := chain.Verify(t.TempDir(), chain.Options{Keys: []ed25519.PublicKey{pub}}); err == nil {
		t.Fatal("verify of an empty directory succeeded")
	}

	if _, err := chain.Verify(filepath.Join(t.TempDir(), "nope"),
		chain.Options{Keys: []ed25519.PublicKey{pub}}); err == nil {
		t.Fatal("verify of a missing directory succeeded")
	}
}

func TestOpenBadConfig(t *testing.T) {
	_, priv := newKey(t)

	for name, cfg := range map[string]chain.Config{
		"no dir":   {Key: priv},
		"no key":   {Dir: t.TempDir()},
		"negative": {Dir: t.TempDir(), Key: priv, MaxBatch: -1},
	} {
		if _, err := chain.Open(context.Background(), cfg); err == nil {
			t.Fatalf("%s: accepted", name)
		}
	}
}

func TestAppendAfterClose(t *testing.T) {
	_, priv := newKey(t)
	w, err := chain.Open(context.Background(), chain.Config{Dir: t.TempDir(), Key: priv})
	must(t, err)
	must(t, w.Close(context.Background()))

	if _, err := w.Append(context.Background(), event(1)); !errors.Is(err, chain.ErrClosed) {
		t.Fatalf("err = %v", err)
	}
}

func TestNoSecretReachesTheChain(t *testing.T) {
	dir := t.TempDir()
	_, priv := newKey(t)

	w, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv})
	must(t, err)

	e := event(1)
	e.Attributes = map[string]string{"authorization": "Bearer secret-value-123456"}
	_, err = w.Append(context.Background(), e)
	must(t, err)
	must(t, w.Close(context.Background()))

	files, _ := chain.Files(dir)
	data, _ := os.ReadFile(files[0])
	if bytes.Contains(data, []byte("secret-value")) {
		t.Fatal("a secret reached the chain file")
	}
}

func TestRecoverCrashDuringRotation(t *testing.T) {
	dir := t.TempDir()
	pub, priv := newKey(t)
	writeTrail(t, chain.Config{Dir: dir, Key: priv, MaxFileBytes: 2048}, 20)

	// Make the last file look as if the writer died after sealing the
	// previous file but before creating this one: remove it, and leave a
	// torn write at the end of the previous file.
	files, err := chain.Files(dir)
	must(t, err)
	must(t, os.Remove(files[len(files)-1]))

	f, err := os.OpenFile(files[len(files)-2], os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	_, err = f.WriteString(`{"hash":"ab`)
	must(t, err)
	must(t, f.Close())

	w, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv, MaxFileBytes: 2048})
	must(t, err)

	if rec := w.Recovery(); !rec.Unclean || rec.Cut == nil {
		t.Fatalf("recovery = %+v", rec)
	}

	_, err = w.Append(context.Background(), event(99))
	must(t, err)
	must(t, w.Close(context.Background()))

	rep, err := chain.Verify(dir, chain.Options{Keys: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}

	if rep.Unclean != 1 || len(rep.Cuts) != 1 {
		t.Fatalf("report = %+v", rep)
	}
}

func TestOpenRefusesDamageBeyondATornTail(t *testing.T) {
	dir := t.TempDir()
	_, priv := newKey(t)
	writeTrail(t, chain.Config{Dir: dir, Key: priv}, 10)

	editLines(t, dir, func(l []string) []string {
		i := eventLine(t, l, "ev-5")
		l[i] = strings.Replace(l[i], "alice", "mallory", 1)
		return l
	})

	if _, err := chain.Open(context.Background(), chain.Config{Dir: dir, Key: priv}); !errors.Is(err, chain.ErrUnrecoverable) {
		t.Fatalf("err = %v, want ErrUnrecoverable", err)
	}
}

// TestCloseLeavesNoGoroutines checks that Close stops the writer goroutine.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	_, priv := newKey(t)
	before := runtime.NumGoroutine()

	for range 5 {
		writeTrail(t, chain.Config{Dir: t.TempDir(), Key: priv}, 3)
	}

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
		}

		time.Sleep(time.Millisecond)
	}
}
