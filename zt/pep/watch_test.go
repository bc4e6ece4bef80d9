package pep_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/ztkit/ztkit/zt/pep"
)

// eventually waits up to ten seconds, on a loaded machine, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: never happened", what)
}

// TestWatchReloadsOnChange checks that a watched folder is reloaded when a
// file changes, without polling; that a broken policy is refused and the
// last good one keeps serving; and that a folder created later is watched.
func TestWatchReloadsOnChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": false, \"reasons\": {\"v1\"}}\n")
	e := newEngine(t, pep.Config{Dir: dir, Watch: true})
	decide := func() string {
		d, _ := e.Decide(ctx, readTx(user("a"), "b"))
		return d.Reasons[0]
	}

	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": true, \"reasons\": {\"v2\"}}\n")
	eventually(t, "reload of the changed policy", func() bool { return decide() == "v2" })

	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\n")
	eventually(t, "refusal of the broken policy", func() bool { return e.Stats().Refusals == 1 })
	if got := decide(); got != "v2" {
		t.Fatalf("after a refused reload: %s, want v2", got)
	}

	writePolicy(t, dir, "package ztkit.authz\n\ndefault reason := \"v2b\"\n\n"+
		"reason := data.ztkit.extra.reason\n\n"+
		"decision := {\"allow\": true, \"reasons\": {reason}}\n")
	eventually(t, "reload of a policy with a default", func() bool { return decide() == "v2b" })
	sub := filepath.Join(dir, "ztkit", "extra")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// Let the reload that the new folder causes pass, so that only a watch
	// on the new folder can see the file written next.
	time.Sleep(4 * 100 * time.Millisecond)
	if err := os.WriteFile(filepath.Join(sub, "extra.rego"),
		[]byte("package ztkit.extra\n\nreason := \"v3\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reload after a file in a new folder", func() bool { return decide() == "v3" })
}

func TestWatchNeedsFiles(t *testing.T) {
	_, err := pep.New(context.Background(), pep.Config{Policies: examplePolicy(t), Watch: true})
	if err == nil {
		t.Fatal("Watch with an fs.FS accepted")
	}
}

// TestWatchBundleReplaced checks that a bundle replaced by a rename, as
// deployments do, is reloaded.
func TestWatchBundleReplaced(t *testing.T) {
	path := writeBundle(t, "", nil)
	e := newEngine(t, pep.Config{Bundle: path, Watch: true})
	next := writeBundle(t, "", func(b *bundle.Bundle) {
		b.Manifest.Revision = "v43"
		b.Data["ztkit"].(map[string]any)["max_risk"] = 70
	})
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reload of the replaced bundle", func() bool {
		return strings.HasPrefix(e.Revision(), "v43+")
	})
}
