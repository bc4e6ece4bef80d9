package pep

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
)

// EventKindDecisionLog is the audit.Event kind of a decision-log entry. The
// entry itself, as JSON, is the event's "decision_log" attribute.
const EventKindDecisionLog = "decision_log"

// DecisionLog is one entry of the decision log, in the format of OPA's
// decision logs, so that tools that read those read these.
type DecisionLog struct {
	// DecisionID identifies the decision; it is zt.Decision.ID.
	DecisionID string `json:"decision_id"`
	// Path is the entrypoint that was evaluated.
	Path string `json:"path"`
	// Input is the input document, with masked paths erased.
	Input any `json:"input,omitempty"`
	// Result is the decision: allow, reasons and obligations.
	Result any `json:"result,omitempty"`
	// Bundles names the policy revision that decided.
	Bundles map[string]BundleInfo `json:"bundles,omitempty"`
	// Timestamp is when the decision was made.
	Timestamp time.Time `json:"timestamp"`
	// Metrics holds timers in nanoseconds and counters, under OPA's names.
	Metrics map[string]any `json:"metrics,omitempty"`
	// Erased lists the JSON pointers that masking removed.
	Erased []string `json:"erased,omitempty"`
}

// BundleInfo describes the policy revision behind a decision.
type BundleInfo struct {
	// Revision is the policy and data revision.
	Revision string `json:"revision"`
}

// validateMask checks the JSON pointers of Config.DecisionLogMask.
func validateMask(mask []string) error {
	for _, p := range mask {
		if !strings.HasPrefix(p, "/input/") && !strings.HasPrefix(p, "/result/") {
			return fmt.Errorf("pep: decision log mask %q must start with /input/ or /result/", p)
		}
	}
	return nil
}

// logDecision builds the decision-log entry and hands it to the emitter.
func (e *Engine) logDecision(ctx context.Context, st *state, ep string, in *Input,
	d zt.Decision, out outcome, took time.Duration) {
	entry := e.decisionLog(st, ep, in, d, out, took)
	raw, err := json.Marshal(entry)
	if err != nil {
		return
	}
	ev := audit.Event{
		ID:             d.ID,
		Time:           entry.Timestamp,
		Kind:           EventKindDecisionLog,
		Action:         in.Request.Action,
		Decision:       decisionWord(d.Allow),
		Reasons:        d.Reasons,
		PolicyRevision: d.Revision,
		DecisionID:     d.ID,
		RequestID:      in.Request.RequestID,
		Method:         in.Request.Method,
		Route:          in.Request.Route,
		SourceAddr:     in.Request.SourceAddr,
		Actor:          audit.ActorOf(in.Principal),
		Resource: audit.Resource{
			Type: in.Request.Resource.Type, ID: in.Request.Resource.ID,
			Owner: in.Request.Resource.Owner,
		},
		Attributes: map[string]string{"decision_log": string(raw)},
	}
	if err := e.cfg.DecisionLogs.Emit(ctx, ev); err != nil && e.log != nil {
		e.log.WarnContext(ctx, "pep: decision log not accepted", "error", err)
	}
}

func (e *Engine) decisionLog(st *state, ep string, in *Input, d zt.Decision,
	out outcome, took time.Duration) DecisionLog {
	entry := DecisionLog{
		DecisionID: d.ID,
		Path:       ep,
		Bundles:    map[string]BundleInfo{"ztkit": {Revision: d.Revision}},
		Timestamp:  time.Now().UTC(),
		Result: map[string]any{
			"allow": d.Allow, "reasons": d.Reasons, "obligations": d.Obligations,
		},
		Metrics: map[string]any{
			"timer_rego_query_eval_ns":     took.Nanoseconds(),
			"counter_ztkit_decision_cache": boolInt(out.cached),
		},
	}
	if out.input != nil {
		doc, err := ast.JSON(withToken(withTime(out.input, in), in))
		if err == nil {
			entry.Input = doc
		}
	}
	for _, p := range e.cfg.DecisionLogMask {
		if erase(&entry, p) {
			entry.Erased = append(entry.Erased, p)
		}
	}
	return entry
}

// withToken adds the token's facts (not its claims) to an input built
// without them, for a policy that does not read input.token.
func withToken(v ast.Value, in *Input) ast.Value {
	obj, ok := v.(ast.Object)
	if !ok || in.Principal == nil || in.Principal.Token == nil || obj.Get(key("token")) != nil {
		return v
	}
	tok, err := tokenValue(in.Principal.Token, nil)
	if err != nil {
		return v
	}
	next := obj.Copy()
	next.Insert(key("token"), ast.NewTerm(tok))
	return next
}

// withTime adds the request time to an input built without it.
func withTime(v ast.Value, in *Input) ast.Value {
	obj, ok := v.(ast.Object)
	if !ok || in.Request.Time.IsZero() {
		return v
	}
	req, ok := obj.Get(ast.StringTerm("request")).Value.(ast.Object)
	if !ok || req.Get(ast.StringTerm("time_ns")) != nil {
		return v
	}
	req = req.Copy()
	req.Insert(ast.StringTerm("time_ns"), ast.IntNumberTerm(int(in.Request.Time.UnixNano())))
	next := obj.Copy()
	next.Insert(ast.StringTerm("request"), ast.NewTerm(req))
	return next
}

// erase removes the value at a JSON pointer into the entry's input or
// result, and reports whether there was one.
func erase(entry *DecisionLog, pointer string) bool {
	parts := strings.Split(pointer, "/")[1:]
	var cur any = map[string]any{"input": entry.Input, "result": entry.Result}
	for i, part := range parts {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			if i == len(parts)-1 {
				_, found := c[part]
				delete(c, part)
				return found
			}
			cur = c[part]
		case []any:
			n, err := strconv.Atoi(part)
			if err != nil || n < 0 || n >= len(c) || i == len(parts)-1 {
				return false
			}
			cur = c[n]
		default:
			return false
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func decisionWord(allow bool) string {
	if allow {
		return "allow"
	}
	return "deny"
}

// ActorOf returns the audit actor of p.
//
// Deprecated: use audit.ActorOf, which is where the actor model lives.
func ActorOf(p *zt.Principal) audit.Actor { return audit.ActorOf(p) }
