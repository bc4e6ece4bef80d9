package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/api"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
	"github.com/ztkit/ztkit/examples/internal/openapicheck"
)

// TestOpenAPICoversRouteTable checks that the document and the route table
// name the same routes, both ways.
func TestOpenAPICoversRouteTable(t *testing.T) {
	doc := openapicheck.Load(t, api.OpenAPI)
	documented := map[string]bool{}

	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}

	served := map[string]bool{}
	for _, r := range routes.Table {
		if strings.HasPrefix(r.Path, "/internal/v1/auth/") || r.Path == "/internal/v1/pip" {
			continue // the backend's side of sign-in and its PIP feed: not the API
		}

		key := r.Method + " " + r.Path
		served[key] = true

		if !documented[key] {
			t.Errorf("%s is served but not documented", key)
		}
	}

	browser := (&public.Service{}).BrowserHandlers()

	for key := range documented {
		_, isBrowser := browser[key]
		if !served[key] && !isBrowser {
			t.Errorf("%s is documented but not served", key)
		}
	}

	for key := range browser {
		if !documented[key] && !strings.HasPrefix(key, "POST /api/v1/") {
			t.Errorf("browser route %s is not documented", key)
		}
	}
}

func newValidating(t *testing.T, next http.RoundTripper, base string) http.RoundTripper {
	c := openapicheck.NewTransport(t, api.OpenAPI, base, next)
	c.Skip = func(req *http.Request) bool { return !expectValid(req) }

	return c
}

// expectValid is false for requests a test sends malformed on purpose.
func expectValid(req *http.Request) bool {
	return req.Header.Get("X-Test-Malformed") == ""
}
