// Command gendata writes the route table (data.financeapp.actions) to the
// policy folder's data.json, so that `ztctl policy test` runs the Rego tests
// with the same data as the services. Run it with `go generate` in the
// policy folder; TestDataFileIsCurrent fails when the file is stale.
package main

import (
	"fmt"
	"os"

	"github.com/ztkit/ztkit/examples/financeapp/policy"
)

func main() {
	data, err := policy.DataJSON()
	if err == nil {
		err = os.WriteFile(policy.DataFile, data, 0o644)
	}

	if err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}
