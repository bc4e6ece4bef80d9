package pep

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ztkit/ztkit/zt"
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

func TestReadsToken(t *testing.T) {
	tests := map[string]bool{
		`allow if input.token.issuer == "a"`:   true,
		`allow if { some k; input[k].issuer }`: true,
		`allow if { x := input; x.token.id }`:  true,
		`allow if input.subject.id == "a"`:     false,
		`allow if input.request.method == "a"`: false,
	}
	for rule, want := range tests {
		m := ast.MustParseModuleWithOpts("package p\n\n"+rule+"\n",
			ast.ParserOptions{RegoVersion: ast.RegoV1})
		if got := readsInput(map[string]*ast.Module{"p.rego": m}, "token"); got != want {
			t.Errorf("%s: readsInput = %v, want %v", rule, got, want)
		}
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

// TestTokenReachesPoliciesThatReadIt checks that leaving input.token out for
// policies that do not read it does not hide it from those that do.
func TestTokenReachesPoliciesThatReadIt(t *testing.T) {
	e, err := New(context.Background(), Config{Policies: fstest.MapFS{"p.rego": {Data: []byte(
		"package ztkit.authz\n\n" +
			`decision := {"allow": input.token.issuer == "https://issuer.test", "reasons": {"t"}}` +
			"\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	in := &Input{Principal: &zt.Principal{
		User:  &zt.User{ID: "alice"},
		Token: &zt.Token{Issuer: "https://issuer.test"},
	}}
	if d, err := e.Decide(context.Background(), in); err != nil || !d.Allow {
		t.Fatalf("decision = %+v, %v", d, err)
	}
}

// TestInternerIsBounded checks that names from callers (the method) cannot
// grow the interner without bound, and that every term keeps its value.
func TestInternerIsBounded(t *testing.T) {
	n := newInterner()
	for i := range 3 * maxInterned {
		s := fmt.Sprintf("M%d", i)
		if got := n.str(s); got.Value.Compare(ast.String(s)) != 0 {
			t.Fatalf("term of %q is %v", s, got)
		}
	}
	if len(n.m) != maxInterned {
		t.Errorf("interner holds %d names, want %d", len(n.m), maxInterned)
	}
	if kept := n.str("M1"); n.str("M1") != kept {
		t.Error("a kept name is built again")
	}
}

// TestCacheEvictsTheUnused checks the CLOCK eviction: when the cache is
// full, an entry read since the hand last passed stays, and one that was
// not is replaced; the cache never holds more than its size.
func TestCacheEvictsTheUnused(t *testing.T) {
	in := func(s string) ast.Value { return ast.String(s) }
	out := func(s string) outcome { return outcome{allow: true, reasons: []string{s}} }
	c := newDecisionCache(2)
	c.put("ep", in("a"), out("a"))
	c.put("ep", in("b"), out("b"))
	if _, hit := c.get("ep", in("a")); !hit {
		t.Fatal("a: miss")
	}
	c.put("ep", in("c"), out("c")) // full: b was not read, b goes

	for name, want := range map[string]bool{"a": true, "b": false, "c": true} {
		got, hit := c.get("ep", in(name))
		if hit != want || (hit && (got.reasons[0] != name || !got.cached)) {
			t.Errorf("%s: hit = %v (%+v), want %v", name, hit, got, want)
		}
	}
	if _, hit := c.get("other", in("a")); hit {
		t.Error("entrypoints share entries")
	}

	for i := range 100 {
		c.put("ep", in(fmt.Sprint(i)), out("x"))
	}
	n := 0
	for _, b := range c.m {
		n += len(b)
	}
	if n != 2 || len(c.ring) != 2 {
		t.Errorf("cache holds %d entries in its index and %d in its ring, want 2", n, len(c.ring))
	}
}
