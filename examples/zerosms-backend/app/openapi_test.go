package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ztkit/ztkit/examples/internal/openapicheck"
	"github.com/ztkit/ztkit/examples/zerosms-backend/api"
	"github.com/ztkit/ztkit/examples/zerosms-backend/app/apptest"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
)

// TestOpenAPICoversRoutes checks that the document and the server name the
// same routes, both ways.
func TestOpenAPICoversRoutes(t *testing.T) {
	documented := map[string]bool{}

	for path, item := range openapicheck.Load(t, api.OpenAPI).Paths.Map() {
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

// TestFlowKeepsTheContract runs the device flow with every request and
// answer checked against the OpenAPI document.
func TestFlowKeepsTheContract(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	dev := env.Device(t, "ES256")

	c := openapicheck.NewTransport(t, api.OpenAPI, env.App.URL(), env.HTTP.Transport)
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
		if !c.Seen[r.Method+" "+r.Path] {
			t.Errorf("%s %s not exercised", r.Method, r.Path)
		}
	}
}
