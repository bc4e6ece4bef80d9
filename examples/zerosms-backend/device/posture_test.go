package device_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
)

var sig = strings.Repeat("ab", 32)

func clean(at time.Time) device.Posture {
	return device.Posture{AppSignatureSHA256: sig, OSVersion: "Android 15", ReportedAt: at}
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	tests := []struct {
		name   string
		modify func(*device.Posture)
	}{
		{"short signature", func(p *device.Posture) { p.AppSignatureSHA256 = "abcd" }},
		{"non-hex signature", func(p *device.Posture) { p.AppSignatureSHA256 = strings.Repeat("zz", 32) }},
		{"no OS version", func(p *device.Posture) { p.OSVersion = "" }},
		{"long OS version", func(p *device.Posture) { p.OSVersion = strings.Repeat("x", 65) }},
		{"control character", func(p *device.Posture) { p.OSVersion = "Android\n15" }},
		{"no time", func(p *device.Posture) { p.ReportedAt = time.Time{} }},
	}

	if err := clean(now).Validate(); err != nil {
		t.Fatalf("clean posture: %v", err)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clean(now)
			tt.modify(&p)

			if err := p.Validate(); !errors.Is(err, device.ErrInvalidPosture) {
				t.Errorf("Validate = %v, want ErrInvalidPosture", err)
			}
		})
	}
}

func TestDefaultRules(t *testing.T) {
	now := time.Now()

	tests := []struct {
		name   string
		modify func(*device.Posture)
		allow  bool
		denied []device.Signal
	}{
		{"clean", func(*device.Posture) {}, true, nil},
		{"rooted", func(p *device.Posture) { p.Rooted = true }, false, []device.Signal{device.SignalRooted}},
		{"debuggable", func(p *device.Posture) { p.Debuggable = true }, false,
			[]device.Signal{device.SignalDebuggable}},
		{"emulator alone", func(p *device.Posture) { p.Emulator = true }, true, nil},
		{"rooted and debuggable", func(p *device.Posture) { p.Rooted, p.Debuggable = true, true }, false,
			[]device.Signal{device.SignalRooted, device.SignalDebuggable}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clean(now)
			tt.modify(&p)

			allow, denied := device.DefaultRules.MayUpload(p.Signals(nil))
			if allow != tt.allow || !slices.Equal(denied, tt.denied) {
				t.Errorf("MayUpload = %v %v, want %v %v", allow, denied, tt.allow, tt.denied)
			}
		})
	}
}

func TestUnknownSignature(t *testing.T) {
	p := clean(time.Now())

	if s := p.Signals([]string{sig}); len(s) != 0 {
		t.Errorf("trusted signature raised %v", s)
	}

	if s := p.Signals([]string{strings.Repeat("cd", 32)}); !slices.Equal(s, []device.Signal{device.SignalUnknownSignature}) {
		t.Errorf("untrusted signature raised %v", s)
	}

	if got := p.Claims()["rooted"]; got != false {
		t.Errorf("claims rooted = %v", got)
	}
}

func TestHistory(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := device.History{Max: 2}

	if changed, err := h.Record(clean(t0)); err != nil || changed {
		t.Fatalf("first report: %v %v", changed, err)
	}

	if changed, err := h.Record(clean(t0.Add(time.Hour))); err != nil || changed {
		t.Fatalf("same posture: %v %v", changed, err)
	}

	rooted := clean(t0.Add(2 * time.Hour))
	rooted.Rooted = true

	if changed, err := h.Record(rooted); err != nil || !changed {
		t.Fatalf("rooted report: %v %v", changed, err)
	}

	if _, err := h.Record(clean(t0.Add(30 * time.Minute))); !errors.Is(err, device.ErrInvalidPosture) {
		t.Errorf("an older report was accepted: %v", err)
	}

	if n := len(h.Reports()); n != 2 {
		t.Errorf("%d reports kept, want 2", n)
	}

	if last, ok := h.Latest(); !ok || !last.Rooted {
		t.Errorf("latest %+v", last)
	}
}
