package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/app/apptest"
)

const fixtures = "../../smsparse/testdata/bank-sms/cases.jsonl"

func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()

	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)

	err := rootCmd.Execute()

	return out.String(), err
}

func mustExecute(t *testing.T, args ...string) string {
	t.Helper()

	out, err := execute(t, args...)
	if err != nil {
		t.Fatalf("zerosms %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	return out
}

// TestSimulatorFlow enrolls a clean and a rooted device through the CLI,
// uploads the fixtures, shows the drafts, and re-uploads idempotently.
func TestSimulatorFlow(t *testing.T) {
	env := apptest.Start(t)
	t.Setenv("ZEROSMS_PASSWORD", env.User.Password)

	clean := filepath.Join(t.TempDir(), "clean")
	common := []string{"--server", env.App.URL(), "--platform", env.Platform.PublicURL(),
		"--cacert", env.CAFile, "--email", env.User.Email}

	out := mustExecute(t, append([]string{"enroll", "--state", clean}, common...)...)
	if !strings.Contains(out, "upload allowed: true") {
		t.Fatalf("clean device: %s", out)
	}

	fi, err := os.Stat(filepath.Join(clean, keyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("device key file: %v, %v", fi, err)
	}

	out = mustExecute(t, "upload", "--state", clean, fixtures)
	if !strings.Contains(out, "accepted 40, duplicates 0") {
		t.Fatalf("upload: %s", out)
	}

	out = mustExecute(t, "show", "--state", clean)
	if !strings.Contains(out, "40 messages: 24 transactions, 16 refused") ||
		!strings.Contains(out, "sent ") {
		t.Fatalf("show: %s", out)
	}

	out = mustExecute(t, "upload", "--state", clean, fixtures)
	if !strings.Contains(out, "accepted 0, duplicates 40") {
		t.Fatalf("re-upload: %s", out)
	}

	rooted := filepath.Join(t.TempDir(), "rooted")

	out = mustExecute(t, append([]string{"enroll", "--state", rooted, "--rooted"}, common...)...)
	if !strings.Contains(out, "upload allowed: false (device.rooted)") {
		t.Fatalf("rooted device: %s", out)
	}

	if out, err := execute(t, "upload", "--state", rooted, fixtures); err == nil ||
		!strings.Contains(err.Error(), "403") {
		t.Fatalf("upload from rooted device: %v %s", err, out)
	}

	if _, err := execute(t, append([]string{"enroll", "--state", clean}, common...)...); err == nil {
		t.Fatal("enrolling over an enrolled state folder succeeded")
	}
}
