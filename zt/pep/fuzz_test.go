package pep

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FuzzParseOutcome checks that a policy result allows only when it is true
// or an object whose "allow" is true, and that it never panics.
func FuzzParseOutcome(f *testing.F) {
	for _, seed := range []string{
		`true`, `false`, `{"allow": true}`, `{"allow": "true"}`,
		`{"allow": true, "reasons": {"a", "b"}, "obligations": {"step_up": {"method": "otp"}}}`,
		`{"allow": true, "reasons": [1]}`, `{"allow": true, "obligations": []}`, `null`, `[true]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		term, err := ast.ParseTerm(src)
		if err != nil {
			return
		}
		out, err := parseOutcome(term)
		if !out.allow {
			return
		}
		if err != nil {
			t.Fatalf("allowed with an error: %v", err)
		}
		if b, ok := term.Value.(ast.Boolean); ok && bool(b) {
			return
		}
		obj, ok := term.Value.(ast.Object)
		if !ok || !obj.Get(keyAllow).Equal(ast.BooleanTerm(true)) {
			t.Fatalf("%s allowed", src)
		}
	})
}
