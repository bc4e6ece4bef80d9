// Package openapicheck checks HTTP traffic against an OpenAPI 3 document in tests: it
// loads and validates the document, and wraps an http.RoundTripper so that every
// request to the described server, and its answer, must conform.
package openapicheck

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Load parses and validates the OpenAPI document in data, failing t when it is not
// a valid document.
func Load(t testing.TB, data []byte) *openapi3.T {
	t.Helper()

	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}

	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}

	return doc
}

// Transport is an http.RoundTripper that checks every request to the server at its
// base URL, and every answer, against the document; other hosts pass unchecked.
type Transport struct {
	// Skip, when set, exempts a request from the request check, for requests a test
	// sends malformed on purpose. Their answers are still checked.
	Skip func(*http.Request) bool

	// Seen records "METHOD /template" for every documented operation exercised.
	Seen map[string]bool

	t      testing.TB
	next   http.RoundTripper
	router routers.Router
	host   string
}

// NewTransport returns a Transport that checks traffic to base against the document
// in data and sends it on through next.
func NewTransport(t testing.TB, data []byte, base string, next http.RoundTripper) *Transport {
	t.Helper()

	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}

	doc := Load(t, data)
	doc.Servers = openapi3.Servers{{URL: base}}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	return &Transport{Seen: map[string]bool{}, t: t, next: next, router: router, host: u.Host}
}

// RoundTrip checks req, sends it, and checks the answer.
func (c *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != c.host {
		return c.next.RoundTrip(req)
	}

	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
		return c.next.RoundTrip(req)
	}

	body := readAll(&req.Body)

	in := &openapi3filter.RequestValidationInput{Request: req.Clone(req.Context()),
		PathParams: params, Route: route, Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	in.Request.Body = io.NopCloser(bytes.NewReader(body))

	err = openapi3filter.ValidateRequest(req.Context(), in)
	if err != nil && (c.Skip == nil || !c.Skip(req)) {
		c.t.Errorf("%s %s: request breaks the contract: %v", req.Method, route.Path, err)
	}

	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}

	out := readAll(&resp.Body)

	err = openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body:    io.NopCloser(bytes.NewReader(out)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}})
	if err != nil {
		c.t.Errorf("%s %s %d: answer breaks the contract: %v", req.Method, route.Path,
			resp.StatusCode, err)
	}

	c.Seen[req.Method+" "+route.Path] = true

	return resp, nil
}

// readAll reads *body whole and puts back a reader over the same bytes.
func readAll(body *io.ReadCloser) []byte {
	if *body == nil {
		return nil
	}

	data, _ := io.ReadAll(*body)
	*body = io.NopCloser(bytes.NewReader(data))

	return data
}
