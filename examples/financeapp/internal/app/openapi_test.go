package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/ztkit/ztkit/examples/financeapp/api"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
	"github.com/ztkit/ztkit/examples/financeapp/internal/routes"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()

	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}

	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}

	return doc
}

// TestOpenAPICoversRouteTable checks that the document and the route table
// name the same routes, both ways.
func TestOpenAPICoversRouteTable(t *testing.T) {
	doc := loadSpec(t)
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

// validating is an http.RoundTripper that checks every request and
// response against the OpenAPI document.
type validating struct {
	t      *testing.T
	next   http.RoundTripper
	router routers.Router
}

func newValidating(t *testing.T, next http.RoundTripper, base string) *validating {
	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: base}}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	return &validating{t: t, next: next, router: router}
}

func (v *validating) RoundTrip(req *http.Request) (*http.Response, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
		return v.next.RoundTrip(req)
	}

	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}

	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil && expectValid(req) {
		v.t.Errorf("%s %s: request does not conform: %v", req.Method, req.URL.Path, err)
	}

	req.Body = io.NopCloser(bytes.NewReader(body))

	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}

	rb, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(rb))

	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in,
		Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(rb)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		v.t.Errorf("%s %s: %d response does not conform: %v", req.Method, req.URL.Path,
			resp.StatusCode, err)
	}

	return resp, nil
}

// expectValid is false for requests a test sends malformed on purpose.
func expectValid(req *http.Request) bool {
	return req.Header.Get("X-Test-Malformed") == ""
}
