// Package policy embeds the finance platform's Rego v1 policies and their
// tests, and lays them out as an OPA bundle together with the route table
// (data.financeapp.actions), ready for pep.Config.Policies.
//
// Each service evaluates its own entrypoint (Entrypoint); the auditor's list
// is filtered by FilterQuery, partially evaluated into SQL.
package policy

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
)

//go:generate go run ./gendata

// Only the policies are embedded: the committed data.json (DataFile) is a
// copy of the route table for `ztctl policy test`, and Bundle adds the live
// table from Go instead, so that no document is defined twice.
//
//go:embed *.rego
var rego embed.FS

// DataFile is the name of the route table's copy in this folder, which
// `go generate` writes and a test keeps equal to DataJSON.
const DataFile = "data.json"

// DataJSON returns the route table as the policies see it
// (routes.PolicyData), as indented JSON ending in a newline.
func DataJSON() ([]byte, error) {
	data, err := json.MarshalIndent(routes.PolicyData(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("policy: route table: %w", err)
	}

	return append(data, '\n'), nil
}

// FilterQuery is the rule that decides whether one transactions row is
// visible to an auditor; the row is input.transactions.
const FilterQuery = "financeapp/filter/transactions/include"

// Entrypoint returns the decision rule of a service.
func Entrypoint(s routes.Service) string {
	return "financeapp/" + string(s) + "/decision"
}

// Bundle returns the policies, their tests and data.json (the route table)
// as one file system.
func Bundle() (fs.FS, error) {
	out := fstest.MapFS{}

	err := fs.WalkDir(rego, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}

		b, err := rego.ReadFile(path)
		out[path] = &fstest.MapFile{Data: b, Mode: 0o444}

		return err
	})
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}

	data, err := DataJSON()
	if err != nil {
		return nil, err
	}

	out[DataFile] = &fstest.MapFile{Data: data, Mode: 0o444}

	return out, nil
}
