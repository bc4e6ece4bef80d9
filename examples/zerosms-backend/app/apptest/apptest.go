// Package apptest runs the finance platform and the ZeroSMS backend together
// in one test process, on loopback, with real TLS and mTLS between them, and
// signs in the platform's demo user.
package apptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/platform"
	"github.com/ztkit/ztkit/examples/zerosms-backend/app"
	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
)

// Env is a running platform and ZeroSMS backend.
type Env struct {
	// Platform is the finance platform.
	Platform *platform.Platform

	// App is the ZeroSMS backend.
	App *app.App

	// HTTP trusts the dev CA (both the platform's and the backend's TLS).
	HTTP *http.Client

	// User is the demo user, with a password.
	User platform.Account

	// Auditor is the demo auditor: signed in, but not a "user" of drafts.
	Auditor platform.Account

	// CAFile is the dev CA certificate's path.
	CAFile string
}

// Start starts both and closes them when the test ends.
func Start(tb testing.TB) *Env {
	tb.Helper()

	ctx := context.Background()
	dir := tb.TempDir()

	p, err := platform.Start(ctx, platform.Config{DataDir: dir, PublicAddr: "127.0.0.1:0",
		LoginBurst: 10000, DecisionTimeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { closeWithin(tb, p.Close) })

	people, err := platform.SeedDemo(ctx, p)
	if err != nil || len(people) < 2 {
		tb.Fatalf("seed: %v", err)
	}

	a, err := app.Start(ctx, app.Config{DataDir: filepath.Join(dir, "zerosms"),
		CADir: filepath.Join(dir, "ca"), PlatformURL: p.PublicURL(),
		BackendAddr: p.Addr("backend"), Listen: "127.0.0.1:0",
		DecisionTimeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { closeWithin(tb, a.Close) })

	pool := x509.NewCertPool()
	pool.AddCert(p.CA().Certificate())

	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}

	return &Env{Platform: p, App: a, HTTP: hc, User: people[0],
		Auditor: people[1], CAFile: platform.CAFile(dir)}
}

func closeWithin(tb testing.TB, closeFn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if err := closeFn(ctx); err != nil {
		tb.Logf("close: %v", err)
	}
}

// SignIn signs the demo user in to the platform.
func (e *Env) SignIn(tb testing.TB) *client.PlatformTokens {
	tb.Helper()

	return e.SignInAs(tb, e.User)
}

// SignInAs signs an account in to the platform.
func (e *Env) SignInAs(tb testing.TB, a platform.Account) *client.PlatformTokens {
	tb.Helper()

	t, err := client.SignIn(context.Background(), e.HTTP, e.PlatformURL(), a.Email, a.Password)
	if err != nil {
		tb.Fatalf("sign in: %v", err)
	}

	return t
}

// PlatformURL is the platform's public URL.
func (e *Env) PlatformURL() *url.URL {
	u, _ := url.Parse(e.Platform.PublicURL())
	return u
}

// Device returns a client of the ZeroSMS backend with a new key of alg.
func (e *Env) Device(tb testing.TB, alg string) *client.Client {
	tb.Helper()

	k, err := client.GenerateKey(alg)
	if err != nil {
		tb.Fatal(err)
	}

	u, _ := url.Parse(e.App.URL())

	return &client.Client{BaseURL: u, HTTP: e.HTTP, Key: k}
}
