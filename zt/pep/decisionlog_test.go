package pep_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/pep"
)

type captured struct{ events []audit.Event }

func (c *captured) Emit(_ context.Context, e audit.Event) error {
	c.events = append(c.events, e)
	return nil
}

func TestDecisionLog(t *testing.T) {
	ctx := context.Background()
	sink := &captured{}
	e := newEngine(t, pep.Config{
		DecisionLogs:    sink,
		DecisionLogMask: []string{"/input/subject/auth_methods", "/input/nothing/here"},
	})

	in := readTx(user("alice", "user"), "alice")
	in.Principal.Token = &zt.Token{ID: "tok-1", Issuer: "https://issuer.test"}
	d, err := e.Decide(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = e.Decide(ctx, readTx(user("alice", "user"), "alice")) // cached

	if len(sink.events) != 2 {
		t.Fatalf("%d events, want 2", len(sink.events))
	}
	ev := sink.events[0]
	if ev.Kind != pep.EventKindDecisionLog || ev.DecisionID != d.ID || ev.Decision != "allow" ||
		ev.PolicyRevision != d.Revision || ev.Actor.User != "alice" {
		t.Errorf("event = %+v", ev)
	}

	var entry struct {
		pep.DecisionLog
		Input struct {
			Subject map[string]any `json:"subject"`
			Request map[string]any `json:"request"`
			Token   map[string]any `json:"token"`
		} `json:"input"`
		Result struct {
			Allow   bool     `json:"allow"`
			Reasons []string `json:"reasons"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(ev.Attributes["decision_log"]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.DecisionID != d.ID || entry.Path != pep.DefaultEntrypoint ||
		entry.Bundles["ztkit"].Revision != d.Revision || entry.Timestamp.IsZero() {
		t.Errorf("entry = %+v", entry.DecisionLog)
	}
	if !entry.Result.Allow || entry.Result.Reasons[0] != "resource.owner" {
		t.Errorf("result = %+v", entry.Result)
	}
	// The example policy reads neither the time nor the token, which the
	// log records all the same.
	if entry.Input.Subject["id"] != "alice" || entry.Input.Request["time_ns"] == nil ||
		entry.Input.Token["id"] != "tok-1" {
		t.Errorf("input = %+v", entry.Input)
	}
	if _, ok := entry.Input.Subject["auth_methods"]; ok || len(entry.Erased) != 1 {
		t.Errorf("masking: subject %v, erased %v", entry.Input.Subject, entry.Erased)
	}
	if _, ok := entry.Metrics["timer_rego_query_eval_ns"]; !ok {
		t.Errorf("metrics = %v", entry.Metrics)
	}

	var cached pep.DecisionLog
	_ = json.Unmarshal([]byte(sink.events[1].Attributes["decision_log"]), &cached)
	if cached.Metrics["counter_ztkit_decision_cache"] != float64(1) || cached.DecisionID == d.ID {
		t.Errorf("cached decision log: %+v", cached)
	}
}
