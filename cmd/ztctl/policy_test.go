package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const examplePolicy = "../../zt/pep/examples/roles_ownership_grants"

// run executes ztctl's root command with args and returns its output and error.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()

	resetFlags(rootCmd)

	return execute(t, rootCmd, stdin, args...)
}

// resetFlags sets every flag back to its default, since the commands
// outlive one execution.
func resetFlags(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		_ = f.Value.Set(f.DefValue)
		f.Changed = false
	})
	for _, c := range cmd.Commands() {
		resetFlags(c)
	}
}

func TestPolicyTest(t *testing.T) {
	out, err := run(t, "", "policy", "test", "--dir", examplePolicy, "-v")
	if err != nil || !strings.Contains(out, "11 tests, 11 passed, 0 failed") ||
		!strings.Contains(out, "PASS data.ztkit.authz_test.test_owner_reads_own_transaction") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}

	dir := t.TempDir()
	failing := "package p_test\n\ntest_fails if false\n"
	if err := os.WriteFile(filepath.Join(dir, "p_test.rego"), []byte(failing), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "", "policy", "test", "--dir", dir)
	if err == nil || !strings.Contains(out, "FAIL data.p_test.test_fails") {
		t.Fatalf("failing test: err %v, output:\n%s", err, out)
	}

	if _, err := run(t, "", "policy", "test"); err == nil {
		t.Error("no source accepted")
	}
}

func TestPolicyEval(t *testing.T) {
	input := `{"action": "transactions.delete", "subject": {"id": "alice", "roles": ["user"],
		"auth_methods": ["pwd"]}, "resource": {"type": "transaction", "id": "t1", "owner": "alice"},
		"risk": {"score": 0, "signals": []}}`
	path := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := run(t, "", "policy", "eval", "--dir", examplePolicy, "--input", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"decision:    allow", "reasons:     resource.owner",
		`obligations: {"step_up":{"method":"otp"}}`, "time:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, err = run(t, input, "policy", "eval", "--dir", examplePolicy, "--input", "-", "--json")
	var d struct {
		Allow   bool     `json:"allow"`
		Reasons []string `json:"reasons"`
		EvalNS  int64    `json:"eval_ns"`
	}
	if err != nil || json.Unmarshal([]byte(out), &d) != nil || !d.Allow || d.EvalNS <= 0 {
		t.Fatalf("--json: err %v, output %s", err, out)
	}

	if _, err := run(t, "{not json", "policy", "eval", "--dir", examplePolicy, "--input", "-"); err == nil {
		t.Error("bad input accepted")
	}
}
