package detect

import (
	"fmt"
	"strings"
	"time"
)

// Severity ranks an Alert. The zero Severity is SeverityInfo.
type Severity uint8

// The severities, from least to most urgent.
const (
	// SeverityInfo records something worth keeping; no one needs to act.
	SeverityInfo Severity = iota
	// SeverityLow is unusual but common in normal operation.
	SeverityLow
	// SeverityMedium may be an attack; a person should look.
	SeverityMedium
	// SeverityHigh is likely an attack in progress.
	SeverityHigh
	// SeverityCritical is an attack that needs an answer now.
	SeverityCritical

	numSeverities
)

var severityNames = [numSeverities]string{
	SeverityInfo:     "info",
	SeverityLow:      "low",
	SeverityMedium:   "medium",
	SeverityHigh:     "high",
	SeverityCritical: "critical",
}

// String returns the lower-case name of s, for example "high".
func (s Severity) String() string {
	if s >= numSeverities {
		return fmt.Sprintf("severity(%d)", uint8(s))
	}

	return severityNames[s]
}

// ParseSeverity returns the Severity named s, in any letter case.
func ParseSeverity(s string) (Severity, error) {
	for sev := SeverityInfo; sev < numSeverities; sev++ {
		if strings.EqualFold(severityNames[sev], s) {
			return sev, nil
		}
	}

	return 0, fmt.Errorf("detect: unknown severity %q", s)
}

// MarshalText encodes s as its name.
func (s Severity) MarshalText() ([]byte, error) {
	if s >= numSeverities {
		return nil, fmt.Errorf("detect: unknown severity %d", uint8(s))
	}

	return []byte(severityNames[s]), nil
}

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	parsed, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}

	*s = parsed

	return nil
}

// Alert is one detection: a Falco rule that fired, or a pattern found in the
// audit stream. It carries facts, never a secret or a credential.
type Alert struct {
	// ID identifies the detection. Two deliveries of the same detection carry
	// the same ID, which is what makes responses idempotent.
	ID string `json:"id"`

	// Time is when the detected activity happened.
	Time time.Time `json:"time"`

	// Source names the detector, for example "falco" or "detect.brute_force".
	Source string `json:"source"`

	// Rule is the rule that fired, for example "Terminal shell in container".
	Rule string `json:"rule"`

	// Severity ranks the alert.
	Severity Severity `json:"severity"`

	// Reasons are stable codes or short facts that explain the alert.
	Reasons []string `json:"reasons,omitempty"`

	// Tags are the rule's tags (Falco tags, MITRE ATT&CK identifiers).
	Tags []string `json:"tags,omitempty"`

	// Subject is who or what the alert is about.
	Subject Subject `json:"subject"`

	// Attributes carries further non-secret facts.
	Attributes map[string]string `json:"attributes,omitempty"`

	// Outcomes are the responses decided for the alert, filled in by the
	// Responder before the alert is stored.
	Outcomes []Outcome `json:"outcomes,omitempty"`
}

// HasTag reports whether the alert carries tag, in any letter case.
func (a *Alert) HasTag(tag string) bool {
	for _, t := range a.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}

	return false
}

// Subject identifies who or what an Alert is about, by every facet known.
type Subject struct {
	// User is the user ID.
	User string `json:"user,omitempty"`

	// Session is the sign-in session ID.
	Session string `json:"session,omitempty"`

	// Device is the registered device ID.
	Device string `json:"device,omitempty"`

	// Workload is the workload's SPIFFE ID, when it could be mapped.
	Workload string `json:"workload,omitempty"`

	// SourceAddr is the network source (an IP address) of the activity.
	SourceAddr string `json:"source_addr,omitempty"`

	// Kubernetes holds the Kubernetes and container facts of a runtime alert.
	Kubernetes *Kubernetes `json:"kubernetes,omitempty"`
}

// Kubernetes holds what a runtime alert says about the pod and process
// involved. Any field may be empty: Falco reports what it could resolve.
type Kubernetes struct {
	// Namespace is the pod's namespace.
	Namespace string `json:"namespace,omitempty"`

	// Pod is the pod's name.
	Pod string `json:"pod,omitempty"`

	// ServiceAccount is the pod's service account, when known.
	ServiceAccount string `json:"service_account,omitempty"`

	// ContainerID is the container runtime's (short) container ID.
	ContainerID string `json:"container_id,omitempty"`

	// Image is the container image repository, for example
	// "docker.io/falcosecurity/falcosidekick".
	Image string `json:"image,omitempty"`

	// Process is the name of the process that triggered the rule.
	Process string `json:"process,omitempty"`
}
