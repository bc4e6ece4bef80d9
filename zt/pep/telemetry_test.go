package pep_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ztkit/ztkit/zt/pep"
)

func TestTelemetry(t *testing.T) {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	dir := t.TempDir()
	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\"allow\": input.action == \"ok\"}\n")
	e := newEngine(t, pep.Config{Dir: dir, TracerProvider: tp, MeterProvider: mp})

	for _, action := range []string{"ok", "ok", "no"} {
		in := readTx(user("alice"), "alice")
		in.Request.Action = action
		if _, err := e.Decide(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	writePolicy(t, dir, "package ztkit.authz\n\ndecision := {\n")
	_ = e.Reload(ctx)

	ended := spans.Ended()
	if len(ended) != 3 {
		t.Fatalf("%d spans, want 3", len(ended))
	}
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range ended[2].Attributes() {
		attrs[kv.Key] = kv.Value
	}
	if ended[2].Name() != "pep.decide" || attrs["zt.decision"].AsString() != "deny" ||
		attrs["zt.policy.revision"].AsString() != e.Revision() ||
		len(attrs["zt.decision.reasons"].AsStringSlice()) != 1 || attrs["zt.decision.duration_ns"].AsInt64() <= 0 {
		t.Errorf("span %s: %v", ended[2].Name(), attrs)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch data := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range data.DataPoints {
				for _, kv := range p.Attributes.ToSlice() {
					got[m.Name+"/"+kv.Value.AsString()] += p.Value
				}
			}
		case metricdata.Histogram[float64]:
			for _, p := range data.DataPoints {
				got[m.Name] += int64(p.Count)
			}
		}
	}
	want := map[string]int64{
		"ztkit.pep.decisions/allow":      2,
		"ztkit.pep.decisions/deny":       1,
		"ztkit.pep.decision.duration":    3,
		"ztkit.pep.policy.loads/refused": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}
