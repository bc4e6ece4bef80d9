package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
)

func run(t *testing.T, args ...string) string {
	t.Helper()

	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetArgs(args)

	if err := rootCmd.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}

	return out.String()
}

// TestTrainReproducesShippedModel runs the training command and checks that it
// writes, byte for byte, the model and checksum that are committed.
func TestTrainReproducesShippedModel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "spam.json")
	run(t, "train", "--out", out)

	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(got, classify.ShippedModel()) {
		t.Fatal("retraining gives another model; run: go run ./zerosms-backend/cmd/zerosms-backend train")
	}

	sum, err := os.ReadFile(out + ".sha256")
	if err != nil {
		t.Fatal(err)
	}

	if want := classify.ShippedChecksum() + "  spam.json\n"; string(sum) != want {
		t.Errorf("checksum file %q, want %q", sum, want)
	}
}

func TestEvalPrintsFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("trains eight models")
	}

	out := run(t, "eval", "--folds", "3")
	for _, want := range []string{"held out", "3-fold", "precision", "recall", "F1", "ROC AUC", "mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseAndClassifyCommands(t *testing.T) {
	out := run(t, "parse", "Rs.500.00 debited from A/c XX4821 on 20-Oct-25", "123456 is your OTP")
	if !strings.Contains(out, `"minor":50000`) || !strings.Contains(out, "otp") {
		t.Errorf("parse output:\n%s", out)
	}

	out = run(t, "classify", "WINNER! Claim your free prize now, call 09061701461")
	if !strings.HasPrefix(out, "spam\t") {
		t.Errorf("classify output: %s", out)
	}
}
