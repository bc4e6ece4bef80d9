package pep

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestIsCacheable(t *testing.T) {
	tests := []struct {
		name   string
		rego   string
		expect bool
	}{
		{"roles", `allow if "admin" in input.subject.roles`, true},
		{"other request fields", `allow if input.request.method == "GET"`, true},
		{"reads time", `allow if input.request.time_ns > 0`, false},
		{"whole request", `allow if { r := input.request; r.time_ns > 0 }`, false},
		{"whole input", `allow if { x := input; x.request.time_ns > 0 }`, false},
		{"dynamic field", `allow if { some k; input.request[k] == 1 }`, false},
		{"clock", `allow if time.now_ns() > 0`, false},
		{"randomness", `allow if rand.intn("x", 10) == 1`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ast.MustParseModuleWithOpts("package p\n\n"+tt.rego+"\n",
				ast.ParserOptions{RegoVersion: ast.RegoV1})
			if got := isCacheable(map[string]*ast.Module{"p.rego": m}); got != tt.expect {
				t.Errorf("isCacheable = %v, want %v", got, tt.expect)
			}
		})
	}
}

func TestReadsClaims(t *testing.T) {
	tests := map[string]bool{
		`allow if input.token.claims.tenant == "a"`: true,
		`allow if input.token.issuer == "a"`:        false,
		`allow if { t := input.token; t.claims }`:   true,
		`allow if input.subject.id == "a"`:          false,
	}
	for rule, want := range tests {
		m := ast.MustParseModuleWithOpts("package p\n\n"+rule+"\n",
			ast.ParserOptions{RegoVersion: ast.RegoV1})
		if got := readsInput(map[string]*ast.Module{"p.rego": m}, "token", "claims"); got != want {
			t.Errorf("%s: readsInput = %v, want %v", rule, got, want)
		}
	}
}
