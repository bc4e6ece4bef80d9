package otelsink_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/audit/otelsink"
)

// memExporter keeps exported records in memory.
type memExporter struct {
	mu      sync.Mutex
	records []sdklog.Record
}

func (m *memExporter) Export(_ context.Context, rs []sdklog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	for _, r := range rs {
		m.records = append(m.records, r.Clone())
	}

	return nil
}

func (m *memExporter) Shutdown(context.Context) error   { return nil }
func (m *memExporter) ForceFlush(context.Context) error { return nil }

func setup(t *testing.T) (*audit.Pipeline, *sdklog.LoggerProvider, *memExporter) {
	t.Helper()

	exp := &memExporter{}
	provider := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))

	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{
		{Name: "otel", Sink: otelsink.New(provider), Overflow: audit.Drop},
	}})
	if err != nil {
		t.Fatal(err)
	}

	return p, provider, exp
}

func attrs(r sdklog.Record) map[string]attribute.Value {
	out := map[string]attribute.Value{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		out[string(kv.Key)] = kv.Value
		return true
	})

	return out
}

func TestRecordsCarryTheEvent(t *testing.T) {
	p, provider, exp := setup(t)

	when := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	e := audit.Event{
		ID: "ev-1", Time: when, Kind: "decision", Decision: "deny",
		Actor:  audit.Actor{User: "alice", Session: "s1", Workload: "spiffe://example.org/web"},
		Action: "transactions.read", Reasons: []string{"policy.undefined"},
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Method: "GET",
		Route: "/v1/transactions/{id}", Status: 403,
	}

	if err := p.Emit(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	if err := provider.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	if len(exp.records) != 1 {
		t.Fatalf("%d records", len(exp.records))
	}

	r := exp.records[0]
	if r.EventName() != otelsink.EventName || r.Severity() != log.SeverityWarn ||
		!r.Timestamp().Equal(when) || r.Body().AsString() != "deny transactions.read" {
		t.Fatalf("record = %v %v %v %q", r.EventName(), r.Severity(), r.Timestamp(), r.Body().AsString())
	}

	if r.TraceID().String() != e.TraceID {
		t.Fatalf("trace ID %s, want %s", r.TraceID(), e.TraceID)
	}

	a := attrs(r)
	if a["user.id"].AsString() != "alice" || a["http.response.status_code"].AsInt64() != 403 ||
		a["audit.reasons"].AsStringSlice()[0] != "policy.undefined" {
		t.Fatalf("attributes = %v", a)
	}

	if r.InstrumentationScope().Name != otelsink.ScopeName {
		t.Fatalf("scope %q", r.InstrumentationScope().Name)
	}
}

func TestNoSecretReachesOTel(t *testing.T) {
	p, provider, exp := setup(t)

	e := audit.Event{ID: "ev-2", Time: time.Now(), Decision: "allow",
		UserAgent:  "x Bearer abcdefgh12345678",
		Attributes: map[string]string{"api_key": "key-secret-1", "note": "ok"}}
	if err := p.Emit(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	_ = provider.Shutdown(context.Background())

	for k, v := range attrs(exp.records[0]) {
		if s := v.String(); strings.Contains(s, "key-secret-1") || strings.Contains(s, "abcdefgh12345678") {
			t.Fatalf("secret in attribute %s: %s", k, s)
		}
	}
}
