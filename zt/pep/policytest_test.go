package pep_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ztkit/ztkit/zt/pep"
)

// TestExamplePolicyRegoTests runs the example policy's Rego unit tests, so
// that "go test" (and make test) runs them.
func TestExamplePolicyRegoTests(t *testing.T) {
	results, err := pep.RunPolicyTests(context.Background(), pep.Config{Policies: examplePolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 10 {
		t.Fatalf("ran %d Rego tests, want the example's 11", len(results))
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s failed: %v\n%s", r.Name, r.Err, r.Output)
		}
	}
}

func TestRunPolicyTestsReportsFailures(t *testing.T) {
	dir := t.TempDir()
	mod := "package p_test\n\ntest_ok if true\n\ntest_bad if false\n\ntodo_test_later if false\n"
	if err := os.WriteFile(filepath.Join(dir, "p_test.rego"), []byte(mod), 0o600); err != nil {
		t.Fatal(err)
	}
	results, err := pep.RunPolicyTests(context.Background(), pep.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range results {
		got[r.Name] = r.Pass
	}
	if !got["data.p_test.test_ok"] || got["data.p_test.test_bad"] || len(results) != 3 {
		t.Errorf("results = %v", got)
	}

	if _, err := pep.RunPolicyTests(context.Background(), pep.Config{Dir: filepath.Join(dir, "none")}); err == nil {
		t.Error("missing folder accepted")
	}
}
