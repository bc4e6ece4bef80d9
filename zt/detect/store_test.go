package detect_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/detect"
)

func TestMemoryStoreIsBounded(t *testing.T) {
	ctx := context.Background()
	s := detect.NewMemoryStore(3)

	for i := range 5 {
		sev := detect.SeverityLow
		if i%2 == 0 {
			sev = detect.SeverityHigh
		}
		a := detect.Alert{ID: strconv.Itoa(i), Time: t0.Add(time.Duration(i) * time.Minute),
			Severity: sev, Source: detect.SourceFalco}
		if err := s.Add(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	ids := func(q detect.Query) string {
		list, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for _, a := range list {
			out += a.ID
		}
		return out
	}

	tests := []struct {
		name string
		q    detect.Query
		want string
	}{
		{"newest first, oldest dropped", detect.Query{}, "432"},
		{"severity", detect.Query{MinSeverity: detect.SeverityHigh}, "42"},
		{"since", detect.Query{Since: t0.Add(3 * time.Minute)}, "43"},
		{"limit", detect.Query{Limit: 1}, "4"},
		{"source", detect.Query{Source: detect.SourceBruteForce}, ""},
	}
	for _, tt := range tests {
		if got := ids(tt.q); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}

	// Adding an alert again replaces it in place.
	if err := s.Add(ctx, detect.Alert{ID: "3", Severity: detect.SeverityCritical}); err != nil {
		t.Fatal(err)
	}
	if got := ids(detect.Query{MinSeverity: detect.SeverityCritical}); got != "3" || s.Len() != 3 {
		t.Errorf("replace: %q, len %d", got, s.Len())
	}
}

func TestRiskStore(t *testing.T) {
	c := &clock{now: t0}
	s := detect.NewRiskStore(detect.RiskConfig{Now: c.Now, MaxEntries: 2})
	alice := detect.RiskKey{Kind: "user", Value: "alice"}
	device := detect.RiskKey{Kind: "device", Value: "d1"}

	s.Raise(alice, 60, "detect.brute_force", time.Hour)
	s.Raise(alice, 60, "detect.brute_force", time.Minute)
	s.Raise(device, 30, "detect.other", 10*time.Minute)

	p := &zt.Principal{User: &zt.User{ID: "alice"}, Device: &zt.Device{ID: "d1"}}
	risk, err := s.Risk(context.Background(), p)
	if err != nil || risk.Score != 100 || len(risk.Signals) != 2 {
		t.Fatalf("risk = %+v, %v; want 100 (capped) with both signals", risk, err)
	}

	c.Add(30 * time.Minute)
	if risk, _ := s.Risk(context.Background(), p); risk.Score != 100 || len(risk.Signals) != 1 {
		t.Errorf("after the device's raise lapsed: %+v", risk)
	}

	// A third principal evicts the one closest to expiry.
	s.Raise(detect.RiskKey{Kind: "user", Value: "bob"}, 10, "x", time.Hour)
	s.Raise(detect.RiskKey{Kind: "user", Value: "carol"}, 10, "x", 2*time.Hour)
	if score, _ := s.Score(alice); score != 0 {
		t.Errorf("alice kept %d in a full store", score)
	}

	s.Clear(detect.RiskKey{Kind: "user", Value: "carol"})
	if score, _ := s.Score(detect.RiskKey{Kind: "user", Value: "carol"}); score != 0 {
		t.Error("Clear kept the score")
	}
	if risk, _ := s.Risk(context.Background(), nil); risk.Score != 0 {
		t.Error("nil principal has risk")
	}
}

func TestSeverityText(t *testing.T) {
	for sev := detect.SeverityInfo; sev <= detect.SeverityCritical; sev++ {
		b, err := sev.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back detect.Severity
		if err := back.UnmarshalText([]byte(string(b))); err != nil || back != sev {
			t.Errorf("%v round trip: %v, %v", sev, back, err)
		}
	}
	if _, err := detect.ParseSeverity("severe"); err == nil {
		t.Error("parsed an unknown severity")
	}
}
