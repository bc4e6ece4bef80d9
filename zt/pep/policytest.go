package pep

import (
	"context"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule (a rule named test_*).
type TestResult struct {
	// Name is the test's package and rule, for example
	// "data.ztkit.authz_test.test_owner_reads_own_transaction".
	Name string
	// Pass reports whether the test passed.
	Pass bool
	// Skipped reports a test marked todo_.
	Skipped bool
	// Err is the evaluation error, if any.
	Err error
	// Duration is how long the test took.
	Duration time.Duration
	// Output holds what the test printed.
	Output []byte
}

// RunPolicyTests runs the Rego tests of the policy that cfg names (Policies,
// Dir or Bundle), as New does before it accepts a policy, and returns every
// result. It returns an error only when the policy cannot be read or
// compiled.
func RunPolicyTests(ctx context.Context, cfg Config) ([]TestResult, error) {
	if err := validate(cfg); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg}
	b, err := e.readBundle()
	if err != nil {
		return nil, fmt.Errorf("pep: read policy: %w", err)
	}
	modules := make(map[string]*ast.Module, len(b.Modules))
	for _, m := range b.Modules {
		modules[m.Path] = m.Parsed
	}
	data := b.Data
	if data == nil {
		data = map[string]any{}
	}

	return runTests(ctx, modules, data)
}

// runTests runs the Rego tests among modules over data.
func runTests(ctx context.Context, modules map[string]*ast.Module,
	data map[string]any) ([]TestResult, error) {
	ch, err := tester.NewRunner().
		SetStore(inmem.NewFromObject(data)).
		SetModules(modules).
		CapturePrintOutput(true).
		SetDefaultRegoVersion(ast.RegoV1).
		RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("pep: policy tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		out = append(out, TestResult{
			Name: r.Package + "." + r.Name, Pass: r.Pass(), Skipped: r.Skip,
			Err: r.Error, Duration: r.Duration, Output: r.Output,
		})
	}
	return out, nil
}
