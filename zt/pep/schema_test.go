package pep

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/ztkit/ztkit/zt"
)

const schemaPath = "../../docs/policy-input.schema.json"

func loadSchema(t *testing.T) any {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := util.UnmarshalJSON(raw, &schema); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return schema
}

// matchSchema validates doc against schema with OPA's json.match_schema.
func matchSchema(t *testing.T, doc, schema any) (bool, any) {
	t.Helper()
	rs, err := rego.New(
		rego.Query("[ok, errs] := json.match_schema(input.doc, input.schema)"),
		rego.Input(map[string]any{"doc": doc, "schema": schema}),
	).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("match_schema: %v %v", rs, err)
	}
	return rs[0].Bindings["ok"].(bool), rs[0].Bindings["errs"]
}

func fullInput() *Input {
	now := time.Unix(1767225600, 0)
	return &Input{
		Principal: &zt.Principal{
			User: &zt.User{
				ID: "alice", SessionID: "s1", Roles: []string{"user"},
				Scopes: []string{"tx:read"}, AuthTime: now, AuthMethods: []string{"pwd", "otp"},
			},
			Device:   &zt.Device{ID: "d1", KeyThumbprint: "jkt", Posture: map[string]any{"rooted": false}},
			Workload: &zt.Workload{ID: "spiffe://ztkit.test/web", TrustDomain: "ztkit.test"},
			Token: &zt.Token{
				ID: "j1", Type: "at+jwt", Issuer: "https://issuer.test", Audience: []string{"api"},
				IssuedAt: now, ExpiresAt: now.Add(time.Minute),
			},
			Claims: map[string]any{"sub": "alice"},
		},
		Request: zt.Request{
			Action: "transactions.read", Method: "GET", Route: "/v1/transactions/{id}",
			Path: "/v1/transactions/t1", SourceAddr: "[::ffff:127.0.0.1]:4242", Time: now,
			Resource: zt.Resource{Type: "transaction", ID: "t1", Owner: "alice",
				Attributes: map[string]any{"amount_minor": 1250}},
		},
		Risk:    zt.Risk{Score: 20, Signals: []string{"new_device"}},
		Context: map[string]any{"tenant": "t"},
	}
}

// TestInputMatchesSchema builds inputs as the engine does and validates them
// against the published JSON Schema.
func TestInputMatchesSchema(t *testing.T) {
	schema := loadSchema(t)
	tests := map[string]*Input{
		"full":      fullInput(),
		"anonymous": {Request: zt.Request{Action: "health.read", Method: "GET", Route: "/healthz"}},
		"workload only": {
			Principal: &zt.Principal{Workload: &zt.Workload{ID: "spiffe://t/w", TrustDomain: "t"}},
			Request:   zt.Request{Action: "a", SourceAddr: "10.0.0.1"},
		},
	}
	for name, in := range tests {
		for _, withTime := range []bool{false, true} {
			v, err := in.value([]string{"auditor"}, name == "full", shape{time: withTime, token: withTime, claims: withTime})
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ast.JSON(v)
			if err != nil {
				t.Fatal(err)
			}
			if ok, errs := matchSchema(t, doc, schema); !ok {
				t.Errorf("%s: input does not match the schema: %v", name, errs)
			}
		}
	}

	v, _ := fullInput().value(nil, false, fullShape)
	doc, _ := ast.JSON(v)
	doc.(map[string]any)["subject"].(map[string]any)["admin"] = true
	if ok, _ := matchSchema(t, doc, schema); ok {
		t.Error("the schema accepts an undocumented field")
	}
}

// TestInputFields pins the values the engine puts in the input.
func TestInputFields(t *testing.T) {
	v, err := fullInput().value([]string{"auditor"}, true, fullShape)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(mustJSON(t, v))
	var doc struct {
		Subject struct {
			Roles      []string `json:"roles"`
			TokenRoles []string `json:"token_roles"`
			Bound      bool     `json:"roles_bound"`
			AuthTime   int64    `json:"auth_time"`
		} `json:"subject"`
		Request struct {
			SourceIP string `json:"source_ip"`
			TimeNS   int64  `json:"time_ns"`
		} `json:"request"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	s, r := doc.Subject, doc.Request
	if len(s.Roles) != 1 || s.Roles[0] != "auditor" || !s.Bound || s.TokenRoles[0] != "user" {
		t.Errorf("live roles not applied: %+v", s)
	}
	if s.AuthTime != 1767225600 || r.TimeNS != 1767225600*1e9 || r.SourceIP != "127.0.0.1" {
		t.Errorf("request facts: %+v %+v", s, r)
	}
}

func mustJSON(t *testing.T, v ast.Value) any {
	t.Helper()
	doc, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestExamplePolicyTypeChecks compiles the example decision policy with the input
// schema, so that a policy reading a field the contract lacks fails here.
func TestExamplePolicyTypeChecks(t *testing.T) {
	schema := loadSchema(t)
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, schema)

	res, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).
		Filtered([]string{"examples/roles_ownership_grants"}, func(_ string, info os.FileInfo, _ int) bool {
			return !info.IsDir() && !isRego(info.Name())
		})
	if err != nil {
		t.Fatal(err)
	}
	modules := map[string]*ast.Module{}
	for name, m := range res.ParsedModules() {
		// Filter modules read the unknown row, input.<table>, which is not
		// part of the input contract.
		if !isTest(name) && !strings.HasSuffix(name, "filter.rego") {
			modules[name] = m
		}
	}
	c := ast.NewCompiler().WithSchemas(ss).WithUseTypeCheckAnnotations(true)
	if c.Compile(modules); c.Failed() {
		t.Fatalf("example policy does not type-check against the input schema: %v", c.Errors)
	}

	bad := ast.MustParseModuleWithOpts("package bad\n\nx if input.subject.is_admin\n",
		ast.ParserOptions{RegoVersion: ast.RegoV1})
	c = ast.NewCompiler().WithSchemas(ss)
	if c.Compile(map[string]*ast.Module{"bad.rego": bad}); !c.Failed() {
		t.Error("a policy reading an undocumented field type-checks")
	}
}

func isRego(name string) bool { return len(name) > 5 && name[len(name)-5:] == ".rego" }

func isTest(name string) bool { return len(name) > 10 && name[len(name)-10:] == "_test.rego" }
