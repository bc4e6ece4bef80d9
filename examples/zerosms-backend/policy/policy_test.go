package policy_test

import (
	"context"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/policy"
	"github.com/ztkit/ztkit/zt/pep"
)

// TestRegoTests runs the policy's Rego unit tests, as the engine does before
// it accepts the policy, and fails on any that does not pass.
func TestRegoTests(t *testing.T) {
	results, err := pep.RunPolicyTests(context.Background(),
		pep.Config{Policies: policy.Bundle(), Entrypoints: []string{policy.Entrypoint}})
	if err != nil {
		t.Fatal(err)
	}

	if len(results) < 10 {
		t.Fatalf("ran %d Rego tests, want at least 10", len(results))
	}

	for _, r := range results {
		if !r.Pass || r.Err != nil {
			t.Errorf("%s: failed: %v\n%s", r.Name, r.Err, r.Output)
		}
	}
}
