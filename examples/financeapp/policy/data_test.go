package policy_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/policy"
)

// TestDataFileIsCurrent: the committed data.json, which `ztctl policy test`
// reads, must be the route table the services decide with. Run
// `go generate ./policy` after changing internal/routes.
func TestDataFileIsCurrent(t *testing.T) {
	want, err := policy.DataJSON()
	if err != nil {
		t.Fatal(err)
	}

	got, err := os.ReadFile(policy.DataFile)
	if err != nil {
		t.Fatalf("%v: run go generate ./policy", err)
	}

	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the route table: run go generate ./policy", policy.DataFile)
	}
}
