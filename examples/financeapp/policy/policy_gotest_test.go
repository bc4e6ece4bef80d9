package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/zt/pep"
)

// TestRegoUnitTests runs the policies' own Rego tests with the route table
// as data, as the engine does before it accepts a policy.
func TestRegoUnitTests(t *testing.T) {
	bundle, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}

	results, err := pep.RunPolicyTests(context.Background(), pep.Config{Policies: bundle})
	if err != nil {
		t.Fatal(err)
	}

	for _, r := range results {
		if !r.Pass && !r.Skipped {
			t.Errorf("%s failed: %v %s", r.Name, r.Err, strings.TrimSpace(string(r.Output)))
		}
	}

	if len(results) < 10 {
		t.Fatalf("ran %d Rego tests, want at least 10", len(results))
	}
}
