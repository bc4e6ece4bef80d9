package decisionlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/decisionlog"
)

func TestDecisionLogFormat(t *testing.T) {
	var buf bytes.Buffer
	sink := decisionlog.New(&buf, decisionlog.Config{Labels: map[string]string{"id": "pep-1"}})

	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	batch := []audit.Event{
		{ID: "ev-1", Kind: "decision", Time: when, DecisionID: "dec-1", Decision: "allow",
			Actor: audit.Actor{User: "alice"}, Action: "transactions.read",
			Resource: audit.Resource{Type: "transaction", ID: "t1"}, PolicyRevision: "rev-9",
			Method: "GET", Route: "/v1/transactions/{id}", SourceAddr: "127.0.0.1:5000"},
		{ID: "ev-2", Kind: "login", Time: when},
		{ID: "ev-3", Kind: "decision", Time: when, Decision: "deny", Reasons: []string{"policy.undefined"}},
	}

	if err := sink.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2 (login is not a decision):\n%s", len(lines), buf.String())
	}

	// Decode into the shape of OPA's decision log event.
	var got struct {
		Labels     map[string]string `json:"labels"`
		DecisionID string            `json:"decision_id"`
		Bundles    map[string]struct {
			Revision string `json:"revision"`
		} `json:"bundles"`
		Path        string         `json:"path"`
		Input       map[string]any `json:"input"`
		Result      map[string]any `json:"result"`
		RequestedBy string         `json:"requested_by"`
		Timestamp   time.Time      `json:"timestamp"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}

	if got.Labels["id"] != "pep-1" || got.DecisionID != "dec-1" || got.Path != decisionlog.DefaultPath ||
		got.Bundles["ztkit"].Revision != "rev-9" || got.Result["allow"] != true ||
		got.RequestedBy != "127.0.0.1:5000" || !got.Timestamp.Equal(when) ||
		got.Input["action"] != "transactions.read" {
		t.Fatalf("entry = %+v", got)
	}

	var deny decisionlog.Entry
	if err := json.Unmarshal([]byte(lines[1]), &deny); err != nil {
		t.Fatal(err)
	}

	if deny.Result.Allow || deny.DecisionID != "ev-3" || deny.Result.Reasons[0] != "policy.undefined" {
		t.Fatalf("deny entry = %+v", deny)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorReturned(t *testing.T) {
	sink := decisionlog.New(failWriter{}, decisionlog.Config{AllKinds: true})
	if err := sink.Write(context.Background(), []audit.Event{{ID: "x"}}); err == nil {
		t.Fatal("write error swallowed")
	}
}

func TestNoSecretReachesTheDecisionLog(t *testing.T) {
	var buf bytes.Buffer
	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{
		{Name: "decisions", Sink: decisionlog.New(&buf, decisionlog.Config{})},
	}})
	if err != nil {
		t.Fatal(err)
	}

	e := audit.Event{
		ID: "ev-1", Kind: "decision", Time: time.Now(), Decision: "allow",
		UserAgent:  "curl Bearer abcdefgh12345678",
		Attributes: map[string]string{"password": "hunter2-secret"},
	}
	if err := p.Emit(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	if s := buf.String(); s == "" || strings.Contains(s, "hunter2") || strings.Contains(s, "abcdefgh12345678") {
		t.Fatalf("decision log = %q", s)
	}
}
