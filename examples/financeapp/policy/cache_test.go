package policy_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/policy"
)

// TestNoRuleReadsTheClock keeps the policies cacheable: pep turns its
// decision cache off for a policy that reads input.request.time_ns or calls
// a clock builtin. Time-dependent facts come precomputed in input.context.
func TestNoRuleReadsTheClock(t *testing.T) {
	bundle, err := policy.Bundle()
	if err != nil {
		t.Fatal(err)
	}

	files, err := fs.Glob(bundle, "*.rego")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies: %v", err)
	}

	for _, name := range files {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}

		b, err := fs.ReadFile(bundle, name)
		if err != nil {
			t.Fatal(err)
		}

		for _, clock := range []string{"time_ns", "time.now_ns", "rand.", "http.send"} {
			if strings.Contains(string(b), clock) {
				t.Errorf("%s uses %s: its decisions could not be cached", name, clock)
			}
		}
	}
}
