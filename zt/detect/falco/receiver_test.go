package falco_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
	"github.com/ztkit/ztkit/zt/revoke"
)

const testToken = "s3cr3t-shared-token-for-tests"

// events records audit events.
type events struct {
	mu  sync.Mutex
	all []audit.Event
}

func (e *events) Emit(_ context.Context, ev audit.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
	return nil
}

func (e *events) list() []audit.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]audit.Event(nil), e.all...)
}

// pipeline is a receiver wired to a real revocation list and risk store.
type pipeline struct {
	url     string
	handler http.Handler
	revoked *revoke.List
	risk    *detect.RiskStore
	alerts  *detect.MemoryStore
	audit   *events
	logs    *bytes.Buffer
}

func newPipeline(t *testing.T, mutate func(*falco.ReceiverConfig)) *pipeline {
	t.Helper()

	p := &pipeline{
		revoked: revoke.NewList(revoke.Config{}),
		risk:    detect.NewRiskStore(detect.RiskConfig{}),
		alerts:  detect.NewMemoryStore(100),
		audit:   &events{},
		logs:    &bytes.Buffer{},
	}
	responder, err := detect.NewResponder(detect.ResponderConfig{
		Revocations: p.revoked,
		Risk:        p.risk,
		Alerts:      p.alerts,
		Audit:       p.audit,
		Self:        "spiffe://example.org/ns/security/workload/responder",
	})
	if err != nil {
		t.Fatal(err)
	}

	cfg := falco.ReceiverConfig{
		Handler: responder,
		Mapper:  mapper(t),
		Token:   falco.NewSecret(testToken),
		Logger:  slog.New(slog.NewJSONHandler(p.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mutate != nil {
		mutate(&cfg)
	}

	rc, err := falco.NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	p.url, p.handler = srv.URL+"/falco", rc

	return p
}

// outcomes summarises an answer as "action:taken" or "action:reason".
func outcomes(t *testing.T, body []byte) string {
	t.Helper()

	var a falco.Answer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}

	var parts []string
	for _, o := range a.Outcomes {
		parts = append(parts, o.String())
	}

	return strings.Join(parts, " ")
}

// Every recorded case, posted in order to one receiver, gets the response
// the default rule table prescribes.
func TestReceiverRespondsToEveryCase(t *testing.T) {
	p := newPipeline(t, nil)
	cases := loadCases(t)

	want := []struct{ id, outcomes string }{
		{"F01", "notify:taken"},
		{"F03", "raise_risk:taken"},
		{"F05", "quarantine:taken raise_risk:taken"},
		{"F06", "quarantine:no_target raise_risk:no_target"},
		{"F09", "quarantine:no_target raise_risk:no_target"},
		{"F11", "notify:taken"},
		{"F13", "notify:duplicate"},
		{"F14", "quarantine:protected.namespace raise_risk:protected.namespace"},
	}
	for _, w := range want {
		status, body, _ := do(t, "POST", p.url, cases[w.id].Payload, nil)
		if status != http.StatusAccepted {
			t.Fatalf("%s: status %d: %s", w.id, status, body)
		}
		if got := outcomes(t, body); got != w.outcomes {
			t.Errorf("%s: outcomes %q, want %q", w.id, got, w.outcomes)
		}
	}

	alpine := "spiffe://example.org/ns/default/workload/alpine"
	if e, ok := p.revoked.Revoked(revoke.Workload, alpine); !ok || e.Reason == "" {
		t.Errorf("F05's workload not quarantined: %+v", e)
	}
	sidekick := "spiffe://example.org/ns/falco/workload/falco-falcosidekick"
	if _, ok := p.revoked.Revoked(revoke.Workload, sidekick); ok {
		t.Error("falcosidekick quarantined itself")
	}
	if p.revoked.Len() != 1 {
		t.Errorf("revocation list holds %d entries, want 1", p.revoked.Len())
	}

	if score, _ := p.risk.Score(detect.RiskKey{Kind: "workload", Value: alpine}); score != 80 {
		t.Errorf("risk of the quarantined workload = %d, want 80", score)
	}

	if n := p.alerts.Len(); n != 7 {
		t.Errorf("stored %d alerts, want 7 (the duplicate is not stored twice)", n)
	}
	if n := len(p.audit.list()); n != 12 {
		t.Errorf("%d audit events, want one per outcome (12)", n)
	}
}

func TestReceiverRefuses(t *testing.T) {
	p := newPipeline(t, func(c *falco.ReceiverConfig) { c.MaxBodyBytes = 4096 })
	good := loadCases(t)["F05"].Payload

	tests := []struct {
		name   string
		method string
		body   []byte
		header map[string]string
		status int
	}{
		{"no token", "POST", good, map[string]string{"Authorization": ""}, 401},
		{"wrong token", "POST", good, map[string]string{"Authorization": "Bearer nope"}, 401},
		{"token as basic", "POST", good,
			map[string]string{"Authorization": "Basic " + testToken}, 401},
		{"token prefix", "POST", good,
			map[string]string{"Authorization": "Bearer " + testToken[:8]}, 401},
		{"GET", "GET", nil, nil, 405},
		{"text body", "POST", good, map[string]string{"Content-Type": "text/plain"}, 415},
		{"no content type", "POST", good, map[string]string{"Content-Type": ""}, 415},
		{"brotli", "POST", good, map[string]string{"Content-Encoding": "br"}, 415},
		{"too large", "POST", bytes.Repeat([]byte(" "), 5000), nil, 413},
		{"gzip bomb", "POST", gzipped(t, bytes.Repeat([]byte(" "), 1<<20)),
			map[string]string{"Content-Encoding": "gzip"}, 413},
		{"bad gzip", "POST", good, map[string]string{"Content-Encoding": "gzip"}, 400},
		{"malformed", "POST", []byte(`{"rule":"r"}`), nil, 400},
		{"not JSON", "POST", []byte(`hello`), nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, header := do(t, tt.method, p.url, tt.body, tt.header)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}

			var prob falco.Problem
			if err := json.Unmarshal(body, &prob); err != nil || prob.Status != tt.status ||
				header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("not a problem document: %s (%v)", body, err)
			}
			if strings.Contains(string(body), testToken) {
				t.Error("answer echoes the token")
			}
		})
	}

	if p.revoked.Len() != 0 || p.alerts.Len() != 0 {
		t.Error("a refused request reached the responder")
	}
	if strings.Contains(p.logs.String(), testToken) || strings.Contains(p.logs.String(), "nope") {
		t.Error("a token reached the log")
	}
}

func do(t *testing.T, method, url string, body []byte,
	header map[string]string) (int, []byte, http.Header) {
	t.Helper()

	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	for k, v := range header {
		req.Header.Del(k)
		if v != "" {
			req.Header.Set(k, v)
		}
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}

	return resp.StatusCode, out, resp.Header
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	return buf.Bytes()
}

func TestReceiverAcceptsGzipAndCloudEvents(t *testing.T) {
	p := newPipeline(t, nil)
	f01 := loadCases(t)["F01"].Payload

	status, body, _ := do(t, "POST", p.url, gzipped(t, f01),
		map[string]string{"Content-Encoding": "gzip"})
	if status != http.StatusAccepted {
		t.Fatalf("gzip: %d %s", status, body)
	}

	ce := `{"specversion":"1.0","id":"1","source":"falcosidekick","type":"falco.rule.output.v1",` +
		`"data":` + string(loadCases(t)["F03"].Payload) + `}`
	status, body, _ = do(t, "POST", p.url, []byte(ce),
		map[string]string{"Content-Type": "application/cloudevents+json"})
	if status != http.StatusAccepted {
		t.Fatalf("cloudevent: %d %s", status, body)
	}
}

func TestReceiverAuthorizer(t *testing.T) {
	errDenied := errors.New("peer not allowed")
	p := newPipeline(t, func(c *falco.ReceiverConfig) {
		c.Token = falco.Secret{}
		c.Authorize = func(r *http.Request) error {
			if r.Header.Get("X-Test-Peer") != "falco" {
				return errDenied
			}
			return nil
		}
	})
	f01 := loadCases(t)["F01"].Payload

	if status, _, _ := do(t, "POST", p.url, f01, nil); status != http.StatusUnauthorized {
		t.Errorf("unauthorized caller: status %d", status)
	}
	falcoPeer := map[string]string{"X-Test-Peer": "falco"}
	if status, _, _ := do(t, "POST", p.url, f01, falcoPeer); status != http.StatusAccepted {
		t.Errorf("authorized caller: status %d", status)
	}
}

func TestNewReceiverRefusesOpenConfig(t *testing.T) {
	h := detect.HandlerFunc(func(_ context.Context, a detect.Alert) (detect.Alert, error) {
		return a, nil
	})
	tests := map[string]falco.ReceiverConfig{
		"no handler":        {Token: falco.NewSecret("x")},
		"no authentication": {Handler: h},
		"negative limit":    {Handler: h, Token: falco.NewSecret("x"), MaxBodyBytes: -1},
	}
	for name, cfg := range tests {
		if _, err := falco.NewReceiver(cfg); !errors.Is(err, falco.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := falco.NewSecret(testToken)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "token", s)
	out := fmt.Sprintf("%v %+v %#v %s", s, s, s, s) + buf.String()
	if b, err := json.Marshal(struct{ T falco.Secret }{s}); err == nil {
		out += string(b)
	}

	if strings.Contains(out, testToken) {
		t.Fatalf("secret printed: %s", out)
	}
	if !s.Equal(testToken) || s.Equal(testToken+"x") || (falco.Secret{}).Equal("") {
		t.Error("Equal is wrong")
	}
}
