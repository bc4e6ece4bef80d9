package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDevCA(t *testing.T, args ...string) (string, error) {
	t.Helper()

	return execute(t, newDevCACmd(), "", args...)
}

func TestDevCAInitIssueInspect(t *testing.T) {
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	out := filepath.Join(dir, "backend")

	if _, err := runDevCA(t, "init", "--dir", caDir, "--trust-domain", "example.org",
		"--key", "ed25519"); err != nil {
		t.Fatal(err)
	}
	if _, err := runDevCA(t, "init", "--dir", caDir, "--trust-domain", "example.org"); err == nil {
		t.Fatal("init overwrote an existing CA")
	}

	if _, err := runDevCA(t, "issue", "--dir", caDir, "--id", "spiffe://example.org/backend",
		"--out", out, "--ttl", "10m"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{svidFile, svidKeyFile, svidBundleOut} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}

	got, err := runDevCA(t, "inspect", filepath.Join(out, svidFile),
		"--bundle", filepath.Join(out, svidBundleOut))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"spiffe://example.org/backend", "well-formed", "verifies against"} {
		if !strings.Contains(got, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, got)
		}
	}
}

func TestDevCARefusals(t *testing.T) {
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	if _, err := runDevCA(t, "init", "--dir", caDir, "--trust-domain", "example.org"); err != nil {
		t.Fatal(err)
	}
	otherDir := filepath.Join(dir, "other")
	if _, err := runDevCA(t, "init", "--dir", otherDir, "--trust-domain", "other.org"); err != nil {
		t.Fatal(err)
	}
	otherOut := filepath.Join(dir, "other-svid")
	if _, err := runDevCA(t, "issue", "--dir", otherDir, "--id", "spiffe://other.org/x",
		"--out", otherOut); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
	}{
		{"upper-case trust domain", []string{"init", "--dir", filepath.Join(dir, "x"),
			"--trust-domain", "Example.org"}},
		{"unknown key", []string{"init", "--dir", filepath.Join(dir, "y"),
			"--trust-domain", "example.org", "--key", "rsa"}},
		{"ID of another trust domain", []string{"issue", "--dir", caDir,
			"--id", "spiffe://other.org/x", "--out", dir}},
		{"ID without path", []string{"issue", "--dir", caDir, "--id", "spiffe://example.org",
			"--out", dir}},
		{"percent-encoded ID", []string{"issue", "--dir", caDir,
			"--id", "spiffe://example.org/%61dmin", "--out", dir}},
		{"no CA", []string{"issue", "--dir", filepath.Join(dir, "none"),
			"--id", "spiffe://example.org/a", "--out", dir}},
		{"inspect not PEM", []string{"inspect", filepath.Join(caDir, "ca-key.pem")}},
		{"inspect wrong bundle", []string{"inspect", filepath.Join(otherOut, svidFile),
			"--bundle", filepath.Join(caDir, "ca.pem")}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := runDevCA(t, tc.args...); err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
		})
	}
}
