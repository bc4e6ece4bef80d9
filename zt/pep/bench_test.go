package pep_test

import (
	"context"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ztkit/ztkit/zt/pep"
)

// latencies records the duration of each operation of a benchmark and
// reports its median and 99th percentile.
type latencies []time.Duration

func (l *latencies) report(b *testing.B) {
	if len(*l) == 0 {
		return
	}
	s := slices.Clone(*l)
	slices.Sort(s)
	b.ReportMetric(float64(s[len(s)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(s[len(s)*99/100].Nanoseconds()), "p99-ns")
}

// benchInputs are an allowed and a denied request for the roles +
// ownership + grants policy, with a grant in the PIP data.
func benchInputs() map[string]*pep.Input {
	deny := readTx(user("mallory", "user"), "alice")
	grant := readTx(user("bob", "auditor"), "alice")
	return map[string]*pep.Input{
		"allow-owner": readTx(user("alice", "user"), "alice"),
		"allow-grant": grant,
		"deny":        deny,
	}
}

func benchEngine(b *testing.B, cacheSize int) *pep.Engine {
	e := newEngine(b, pep.Config{CacheSize: cacheSize})
	_, err := e.Update(context.Background(), func(tx *pep.Tx) error {
		tx.AddGrant(bobGrant)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDecide is a prepared decision with the example policy, evaluated
// every time (uncached) or answered from the decision cache (cached).
func BenchmarkDecide(b *testing.B) {
	for _, mode := range []struct {
		name string
		size int
	}{{"cache=off", -1}, {"cache=on", 0}} {
		e := benchEngine(b, mode.size)
		for name, in := range benchInputs() {
			b.Run(mode.name+"/case="+name, func(b *testing.B) { benchDecide(b, e, in) })
		}
	}
}

// BenchmarkNaivePrepared is the baseline the engine improves on: the same
// policy as a prepared query evaluated with a map input.
func BenchmarkNaivePrepared(b *testing.B) {
	ctx := context.Background()
	pq, err := rego.New(
		rego.Query("data.ztkit.authz.decision"),
		rego.LoadBundle("examples/roles_ownership_grants"),
	).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	input := map[string]any{
		"action":   "transactions.read",
		"subject":  map[string]any{"id": "alice", "roles": []any{"user"}, "auth_methods": []any{"pwd"}},
		"resource": map[string]any{"type": "transaction", "id": "t1", "owner": "alice"},
		"request":  map[string]any{"method": "GET", "route": "/v1/transactions/{id}"},
		"risk":     map[string]any{"score": 0, "signals": []any{}},
	}
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rs, err := pq.Eval(ctx, rego.EvalInput(input))
		if err != nil || len(rs) == 0 {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	lat.report(b)
}

// BenchmarkDecideFloor is an uncached decision by a policy that reads
// nothing: what the engine and OPA cost per evaluation before any rule of
// the policy runs (input built, evaluation set up, result read).
func BenchmarkDecideFloor(b *testing.B) {
	e := newEngine(b, pep.Config{CacheSize: -1, Policies: fstest.MapFS{
		"floor.rego": {Data: []byte("package ztkit.authz\n\n" +
			`decision := {"allow": true, "reasons": {"floor"}}` + "\n")},
	}})
	benchDecide(b, e, benchInputs()["allow-owner"])
}

// benchDecide decides in over and over, recording each decision's latency.
func benchDecide(b *testing.B, e *pep.Engine, in *pep.Input) {
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := e.Decide(ctx, in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	lat.report(b)
}

// BenchmarkFilter measures Engine.Filter: the partial evaluation of the
// example policy's row filter for an auditor with four grants, and its
// translation into a parameterized WHERE clause.
func BenchmarkFilter(b *testing.B) {
	e := filterEngine(b, pep.DialectPostgreSQL, "tx")
	in := &pep.Input{Principal: user("bob", "auditor")}
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Filter(ctx, "transactions", in); err != nil {
			b.Fatal(err)
		}
	}
}
