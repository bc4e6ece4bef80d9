package api

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestDocumentIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}

	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}

	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
}
