package policy

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRegoUnitTests runs the policies' own Rego tests with the route table
// as data.
// TODO(sdk): switch to pep.RunPolicyTests once zt/pep is on main.
func TestRegoUnitTests(t *testing.T) {
	bundle, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}

	modules := map[string]*ast.Module{}
	data := map[string]any{}

	err = fs.WalkDir(bundle, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}

		b, err := fs.ReadFile(bundle, p)
		if err != nil {
			return err
		}

		if p == "data.json" {
			return json.Unmarshal(b, &data)
		}

		modules[p], err = ast.ParseModuleWithOpts(p, string(b),
			ast.ParserOptions{RegoVersion: ast.RegoV1})

		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	ch, err := tester.NewRunner().SetStore(inmem.NewFromObject(data)).
		SetModules(modules).SetDefaultRegoVersion(ast.RegoV1).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}

	n := 0
	for r := range ch {
		n++
		if !r.Pass() {
			t.Errorf("%s.%s failed: %v %s", r.Package, r.Name, r.Error,
				strings.TrimSpace(string(r.Output)))
		}
	}

	if n < 10 {
		t.Fatalf("ran %d Rego tests, want at least 10", n)
	}
}
