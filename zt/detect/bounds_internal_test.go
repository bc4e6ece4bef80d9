package detect

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// An attacker who cycles through account names, sources and resources
// cannot grow the detectors' state beyond MaxKeys.
func TestMonitorStateIsBounded(t *testing.T) {
	m := NewMonitor(MonitorConfig{MaxKeys: 64})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	for i := range 10_000 {
		n := strconv.Itoa(i)
		at := t0.Add(time.Duration(i) * time.Millisecond)
		_ = m.Emit(context.Background(), audit.Event{Kind: KindLogin, Decision: "deny",
			Time: at, Actor: audit.Actor{User: "u" + n}, SourceAddr: "10.0." + n})
		for range 5 { // every source brute forces
			_ = m.Emit(context.Background(), audit.Event{Kind: KindLogin, Decision: "deny",
				Time: at, Actor: audit.Actor{User: "v"}, SourceAddr: "10.1." + n})
		}
		_ = m.Emit(context.Background(), audit.Event{Kind: KindLogin, Decision: "allow",
			Time: at, Actor: audit.Actor{User: "u" + n}, SourceAddr: "192.0.2.1"})
		_ = m.Emit(context.Background(), audit.Event{Kind: KindDecision, Decision: "deny",
			Time: at, Actor: audit.Actor{User: "u" + n}})
		_ = m.Emit(context.Background(), audit.Event{Kind: KindDecision, Decision: "allow",
			Time: at, Actor: audit.Actor{User: "u" + n}, Resource: audit.Resource{ID: n}})
	}

	for name, n := range map[string]int{
		"user failures":   len(m.userFails.keys),
		"source failures": len(m.srcFails.keys),
		"denials":         len(m.denials.keys),
		"distinct":        len(m.touched.keys),
		"sources":         len(m.sources.users),
		"hostile":         len(m.hostile),
	} {
		if n > 64 {
			t.Errorf("%s: %d keys, want at most 64", name, n)
		}
	}
}

func TestResponderForgetsBounded(t *testing.T) {
	r, err := NewResponder(ResponderConfig{})
	if err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	for i := range maxSeen + 10 {
		r.duplicate(strconv.Itoa(i), now)
	}

	if n := len(r.seen); n > maxSeen {
		t.Errorf("remembers %d IDs, want at most %d", n, maxSeen)
	}
}
