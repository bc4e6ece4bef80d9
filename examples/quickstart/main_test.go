package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/zt/pep"
)

func TestQuickStart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}

	want := "GET /v1/profiles/alice: 200 profile of alice, read by alice\n" +
		"GET /v1/profiles/bob: 403 "
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("output:\n%s\nwant prefix:\n%s", out.String(), want)
	}
}

// TestREADMEShowsThisProgram keeps README.md's quick start identical to run, so that
// the README's code compiles and works as written.
func TestREADMEShowsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}

	start := bytes.Index(src, []byte("func run("))
	end := bytes.Index(src[start:], []byte("\n}\n")) + start + 3

	if !bytes.Contains(readme, src[start:end]) {
		t.Fatal("README.md's quick start differs from func run in examples/quickstart/main.go")
	}
}

func TestPolicyUnitTests(t *testing.T) {
	results, err := pep.RunPolicyTests(context.Background(), pep.Config{Policies: policy})
	if err != nil {
		t.Fatal(err)
	}

	if len(results) != 2 {
		t.Fatalf("ran %d policy tests, want 2", len(results))
	}

	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s failed: %v", r.Name, r.Err)
		}
	}
}
