package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/ztkit/ztkit/examples/zerosms-backend/api"
	"github.com/ztkit/ztkit/examples/zerosms-backend/app/apptest"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
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

// TestOpenAPICoversRoutes checks that the document and the server name the
// same routes, both ways.
func TestOpenAPICoversRoutes(t *testing.T) {
	documented := map[string]bool{}

	for path, item := range loadSpec(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}

	served := map[string]bool{}

	for _, r := range server.Routes() {
		key := r.Method + " " + r.Path
		served[key] = true

		if !documented[key] {
			t.Errorf("%s is served but not documented", key)
		}
	}

	for key := range documented {
		if !served[key] {
			t.Errorf("%s is documented but not served", key)
		}
	}
}

// contract checks every request to the backend and its answer against
// the OpenAPI document.
type contract struct {
	t      *testing.T
	next   http.RoundTripper
	router routers.Router
	host   string
	seen   map[string]bool
}

func (c *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != c.host {
		return c.next.RoundTrip(req)
	}

	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
		return c.next.RoundTrip(req)
	}

	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}

	in := &openapi3filter.RequestValidationInput{Request: req.Clone(req.Context()), Route: route,
		PathParams: params, Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	in.Request.Body = io.NopCloser(bytes.NewReader(body))

	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		c.t.Errorf("%s %s: request breaks the contract: %v", req.Method, route.Path, err)
	}

	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}

	out, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(out))

	err = openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(out))})
	if err != nil {
		c.t.Errorf("%s %s %d: answer breaks the contract: %v", req.Method, route.Path,
			resp.StatusCode, err)
	}

	c.seen[req.Method+" "+route.Path] = true

	return resp, nil
}

// TestFlowKeepsTheContract runs the device flow with every request and
// answer checked against the OpenAPI document.
func TestFlowKeepsTheContract(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := env.Device(t, "ES256")

	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: env.App.URL()}}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	c := &contract{t: t, next: env.HTTP.Transport, router: router, host: dev.BaseURL.Host,
		seen: map[string]bool{}}
	dev.HTTP = &http.Client{Transport: c}

	user := env.SignIn(t)
	if _, err := dev.Enroll(ctx, user, "phone", posture(nil)); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Upload(ctx, batch(fixtures(t))); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.ReportPosture(ctx, posture(nil)); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Messages(ctx); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Devices(ctx, user.AccessToken); err != nil {
		t.Fatal(err)
	}

	if h, err := dev.Postures(ctx, user.AccessToken, dev.DeviceID); err != nil || len(h) != 2 {
		t.Fatalf("posture history: %d reports, %v", len(h), err)
	}

	if err := dev.Revoke(ctx, user.AccessToken, dev.DeviceID); err != nil {
		t.Fatal(err)
	}

	if _, err := dev.Messages(ctx); status(err) != http.StatusUnauthorized {
		t.Fatalf("after revoke: %v", err)
	}

	for _, r := range server.Routes() {
		if !c.seen[r.Method+" "+r.Path] {
			t.Errorf("%s %s not exercised", r.Method, r.Path)
		}
	}
}
