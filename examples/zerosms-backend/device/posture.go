// Package device models what the backend knows about an enrolled device: the
// posture it reports (rooted, debuggable, emulator, developer mode, app
// signature, OS version), the signals policy decides on, and the history of
// its reports.
//
// The decision itself belongs to policy: this package turns a report into
// stable signals and policy input, and by default (DefaultRules) a rooted or
// debuggable device may not upload.
package device

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrInvalidPosture is matched by every error for a malformed posture report.
var ErrInvalidPosture = errors.New("device: invalid posture")

// Posture is one posture report of a device, as its app attests it.
type Posture struct {
	// Rooted reports a rooted or jailbroken device.
	Rooted bool `json:"rooted"`

	// Debuggable reports an app build that accepts a debugger.
	Debuggable bool `json:"debuggable"`

	// Emulator reports an emulator rather than a phone.
	Emulator bool `json:"emulator"`

	// DeveloperMode reports the operating system's developer options turned on.
	DeveloperMode bool `json:"developer_mode"`

	// AppSignatureSHA256 is the hex SHA-256 of the app's signing certificate.
	AppSignatureSHA256 string `json:"app_signature_sha256"`

	// OSVersion is the operating system version, for example "Android 15".
	OSVersion string `json:"os_version"`

	// ReportedAt is when the device made the report.
	ReportedAt time.Time `json:"reported_at"`
}

// Signal names a posture property that policy may act on. The strings are
// stable: they appear in policy input, decisions and the audit trail.
type Signal string

// The posture signals.
const (
	SignalRooted           Signal = "device.rooted"                // Posture.Rooted
	SignalDebuggable       Signal = "device.debuggable"            // Posture.Debuggable
	SignalEmulator         Signal = "device.emulator"              // Posture.Emulator
	SignalDeveloperMode    Signal = "device.developer_mode"        // Posture.DeveloperMode
	SignalUnknownSignature Signal = "device.unknown_app_signature" // app signed by another key
)

// maxOSVersion bounds the length of the OS version string.
const maxOSVersion = 64

// Validate checks that the report is well formed: a 64-hex-digit signature
// digest, an OS version of printable text, and a report time.
func (p Posture) Validate() error {
	sig, err := hex.DecodeString(p.AppSignatureSHA256)

	switch {
	case err != nil || len(sig) != 32:
		return fmt.Errorf("%w: app signature must be 64 hex digits", ErrInvalidPosture)
	case p.OSVersion == "" || len(p.OSVersion) > maxOSVersion || !printable(p.OSVersion):
		return fmt.Errorf("%w: OS version must be 1 to %d printable characters",
			ErrInvalidPosture, maxOSVersion)
	case p.ReportedAt.IsZero():
		return fmt.Errorf("%w: no report time", ErrInvalidPosture)
	}

	return nil
}

func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Signals returns the signals the report raises, given the app signatures
// the backend trusts; an empty trusted list skips the signature check.
func (p Posture) Signals(trusted []string) []Signal {
	var out []Signal

	for _, s := range []struct {
		on     bool
		signal Signal
	}{
		{p.Rooted, SignalRooted},
		{p.Debuggable, SignalDebuggable},
		{p.Emulator, SignalEmulator},
		{p.DeveloperMode, SignalDeveloperMode},
		{len(trusted) > 0 && !slices.Contains(trusted, strings.ToLower(p.AppSignatureSHA256)),
			SignalUnknownSignature},
	} {
		if s.on {
			out = append(out, s.signal)
		}
	}

	return out
}

// Claims returns the report as the posture claims of zt.Device, the form
// policy input carries.
func (p Posture) Claims() map[string]any {
	return map[string]any{
		"rooted":               p.Rooted,
		"debuggable":           p.Debuggable,
		"emulator":             p.Emulator,
		"developer_mode":       p.DeveloperMode,
		"app_signature_sha256": strings.ToLower(p.AppSignatureSHA256),
		"os_version":           p.OSVersion,
		"reported_at":          p.ReportedAt.UTC().Format(time.RFC3339),
	}
}

// Rules says which signals forbid uploading. It stands in for policy where no
// policy engine is wired; the zero value forbids nothing.
type Rules struct {
	// Deny lists the signals that forbid uploading.
	Deny []Signal
}

// DefaultRules forbid uploads from rooted or debuggable devices.
var DefaultRules = Rules{Deny: []Signal{SignalRooted, SignalDebuggable}}

// MayUpload reports whether signals allow uploading and, when they do not,
// which of them forbid it.
func (r Rules) MayUpload(signals []Signal) (bool, []Signal) {
	var denied []Signal

	for _, s := range signals {
		if slices.Contains(r.Deny, s) {
			denied = append(denied, s)
		}
	}

	return len(denied) == 0, denied
}

// History keeps a device's posture reports, oldest first, bounded to the
// most recent Max. It is safe for concurrent use.
type History struct {
	// Max bounds the reports kept; 0 means 100.
	Max int

	mu      sync.Mutex
	reports []Posture
}

// Record validates and appends a report. It refuses a report older than the
// latest one, so that a replayed old report cannot hide a newer one, and
// reports whether the posture changed from the latest report.
func (h *History) Record(p Posture) (changed bool, err error) {
	if err := p.Validate(); err != nil {
		return false, err
	}

	h.mu.Lock()
	defer h.mu.Unlock()

	if n := len(h.reports); n > 0 {
		last := h.reports[n-1]
		if p.ReportedAt.Before(last.ReportedAt) {
			return false, fmt.Errorf("%w: report of %v is older than the latest, %v",
				ErrInvalidPosture, p.ReportedAt, last.ReportedAt)
		}

		changed = !samePosture(last, p)
	}

	h.reports = append(h.reports, p)
	if limit := h.max(); len(h.reports) > limit {
		h.reports = slices.Clone(h.reports[len(h.reports)-limit:])
	}

	return changed, nil
}

func (h *History) max() int {
	if h.Max <= 0 {
		return 100
	}

	return h.Max
}

func samePosture(a, b Posture) bool {
	a.ReportedAt, b.ReportedAt = time.Time{}, time.Time{}
	a.AppSignatureSHA256 = strings.ToLower(a.AppSignatureSHA256)
	b.AppSignatureSHA256 = strings.ToLower(b.AppSignatureSHA256)

	return a == b
}

// Latest returns the most recent report, or false when there is none.
func (h *History) Latest() (Posture, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()

	if len(h.reports) == 0 {
		return Posture{}, false
	}

	return h.reports[len(h.reports)-1], true
}

// Reports returns a copy of the reports, oldest first.
func (h *History) Reports() []Posture {
	h.mu.Lock()
	defer h.mu.Unlock()

	return slices.Clone(h.reports)
}
