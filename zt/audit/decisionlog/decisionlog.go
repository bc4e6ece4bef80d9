// Package decisionlog writes audit events of kind "decision" in the Open
// Policy Agent decision-log format (the JSON of OPA's decision log events,
// one per line), so that tools built for OPA's decision logs can read the
// decisions ztkit's enforcement points made.
//
//	f, err := os.OpenFile("decisions.jsonl", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
//	// ...
//	sink := decisionlog.New(f, decisionlog.Config{Labels: map[string]string{"id": instanceID}})
package decisionlog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sync"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// DefaultPath is the decision path recorded when Config.Path is empty.
const DefaultPath = "ztkit/authz"

// DefaultBundle names the bundle whose revision is the event's policy
// revision when Config.Bundle is empty.
const DefaultBundle = "ztkit"

// Config configures a Sink. The zero Config is usable.
type Config struct {
	// Labels identify the decision maker (OPA puts "id" and "version"
	// there). Nil means none.
	Labels map[string]string

	// Path is the policy path of the decision; empty means DefaultPath.
	Path string

	// Bundle names the bundle in "bundles"; empty means DefaultBundle.
	Bundle string

	// AllKinds writes every event, not only those of kind "decision".
	AllKinds bool
}

// Entry is one decision-log event, with the fields of OPA's format that
// ztkit can fill.
type Entry struct {
	Labels      map[string]string     `json:"labels"`
	DecisionID  string                `json:"decision_id"`
	TraceID     string                `json:"trace_id,omitempty"`
	Bundles     map[string]BundleInfo `json:"bundles,omitempty"`
	Path        string                `json:"path,omitempty"`
	Input       Input                 `json:"input"`
	Result      Result                `json:"result"`
	RequestedBy string                `json:"requested_by,omitempty"`
	Timestamp   time.Time             `json:"timestamp"`
	Custom      map[string]any        `json:"custom,omitempty"`
}

// BundleInfo is the revision of a bundle that took part in a decision.
type BundleInfo struct {
	Revision string `json:"revision,omitempty"`
}

// Input is the part of the policy input that an audit event keeps.
type Input struct {
	Subject  Subject        `json:"subject"`
	Workload string         `json:"workload,omitempty"`
	Action   string         `json:"action"`
	Resource audit.Resource `json:"resource"`
	Request  Request        `json:"request"`
}

// Subject is the user facet of the input.
type Subject struct {
	User    string `json:"user,omitempty"`
	Session string `json:"session,omitempty"`
	Device  string `json:"device,omitempty"`
}

// Request is the request facet of the input.
type Request struct {
	Method     string `json:"method,omitempty"`
	Route      string `json:"route,omitempty"`
	SourceAddr string `json:"source_addr,omitempty"`
	ID         string `json:"id,omitempty"`
}

// Result is the decision.
type Result struct {
	Allow   bool     `json:"allow"`
	Reasons []string `json:"reasons,omitempty"`
}

// Sink writes decision-log entries as JSON lines to an io.Writer. It
// implements audit.Sink; each batch is written with one Write call.
type Sink struct {
	mu  sync.Mutex
	w   io.Writer
	cfg Config
}

// New returns a Sink writing to w.
func New(w io.Writer, cfg Config) *Sink {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}

	if cfg.Bundle == "" {
		cfg.Bundle = DefaultBundle
	}

	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}

	return &Sink{w: w, cfg: cfg}
}

// Write encodes the decisions of batch and writes them.
func (s *Sink) Write(_ context.Context, batch []audit.Event) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)

	for i := range batch {
		if !s.cfg.AllKinds && batch[i].Kind != "decision" {
			continue
		}

		if err := enc.Encode(s.Entry(&batch[i])); err != nil {
			return fmt.Errorf("decisionlog: encode: %w", err)
		}
	}

	if buf.Len() == 0 {
		return nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("decisionlog: write: %w", err)
	}

	return nil
}

// Entry converts e to a decision-log entry.
func (s *Sink) Entry(e *audit.Event) Entry {
	entry := Entry{
		Labels:     maps.Clone(s.cfg.Labels),
		DecisionID: e.DecisionID,
		TraceID:    e.TraceID,
		Path:       s.cfg.Path,
		Input: Input{
			Subject:  Subject{User: e.Actor.User, Session: e.Actor.Session, Device: e.Actor.Device},
			Workload: e.Actor.Workload,
			Action:   e.Action,
			Resource: e.Resource,
			Request: Request{
				Method: e.Method, Route: e.Route, SourceAddr: e.SourceAddr, ID: e.RequestID,
			},
		},
		Result:      Result{Allow: e.Decision == "allow", Reasons: e.Reasons},
		RequestedBy: e.SourceAddr,
		Timestamp:   e.Time.UTC(),
		Custom:      map[string]any{"audit_id": e.ID},
	}

	if entry.DecisionID == "" {
		entry.DecisionID = e.ID
	}

	if e.PolicyRevision != "" {
		entry.Bundles = map[string]BundleInfo{s.cfg.Bundle: {Revision: e.PolicyRevision}}
	}

	return entry
}

var _ audit.Sink = (*Sink)(nil)
