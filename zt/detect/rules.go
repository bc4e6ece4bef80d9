package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ActionKind is what a response does.
type ActionKind uint8

// The kinds of response. The zero ActionKind is Notify.
const (
	// Notify records and reports the alert and does nothing else.
	Notify ActionKind = iota
	// RaiseRisk adds points to the risk of every facet of the alert's
	// subject, so that policy can demand a step-up or deny.
	RaiseRisk
	// Quarantine revokes the subject's workload (its SPIFFE ID): it is
	// refused at the mTLS handshake and on each request of a live connection.
	Quarantine
	// RevokeSession revokes the subject's sign-in session.
	RevokeSession
	// RevokeSubject revokes every credential of the subject's user.
	RevokeSubject
	// RevokeDevice revokes the subject's device.
	RevokeDevice

	numActionKinds
)

var actionNames = [numActionKinds]string{
	Notify:        "notify",
	RaiseRisk:     "raise_risk",
	Quarantine:    "quarantine",
	RevokeSession: "revoke_session",
	RevokeSubject: "revoke_subject",
	RevokeDevice:  "revoke_device",
}

// String returns the name of k, for example "quarantine".
func (k ActionKind) String() string {
	if k >= numActionKinds {
		return fmt.Sprintf("action(%d)", uint8(k))
	}

	return actionNames[k]
}

// disruptive reports whether k takes a credential or a workload away, which
// is what rate limits and the protection list guard.
func (k ActionKind) disruptive() bool {
	return k >= Quarantine && k < numActionKinds
}

// Action is one response with its parameters.
type Action struct {
	// Kind is what to do.
	Kind ActionKind `json:"kind"`

	// For is how long a quarantine, a revocation or a risk raise lasts. Zero
	// means DefaultActionDuration.
	For time.Duration `json:"for,omitempty"`

	// Points is how much RaiseRisk adds to the score (1 to 100). Zero means
	// DefaultRiskPoints.
	Points int `json:"points,omitempty"`
}

// Defaults of an Action.
const (
	DefaultActionDuration = 15 * time.Minute
	DefaultRiskPoints     = 40
)

// Match selects alerts. Every criterion that is set must hold; a zero Match
// selects every alert.
type Match struct {
	// Sources are detector names (Alert.Source); empty matches any.
	Sources []string `json:"sources,omitempty"`

	// Rules are rule names, compared without regard to letter case; empty
	// matches any.
	Rules []string `json:"rules,omitempty"`

	// Tags match an alert that carries at least one of them; empty matches
	// any.
	Tags []string `json:"tags,omitempty"`

	// MinSeverity is the lowest severity matched.
	MinSeverity Severity `json:"min_severity"`
}

func (m *Match) matches(a *Alert) bool {
	return a.Severity >= m.MinSeverity &&
		(len(m.Sources) == 0 || slices.Contains(m.Sources, a.Source)) &&
		(len(m.Rules) == 0 || slices.ContainsFunc(m.Rules, func(r string) bool {
			return strings.EqualFold(r, a.Rule)
		})) &&
		(len(m.Tags) == 0 || slices.ContainsFunc(m.Tags, a.HasTag))
}

// Rule is one row of the response table: the alerts it matches and what to
// do about them.
type Rule struct {
	// Name identifies the row in outcomes and audit events.
	Name string `json:"name"`

	// Match selects the alerts the row applies to.
	Match Match `json:"match"`

	// Actions are done in order; an empty list only notifies.
	Actions []Action `json:"actions"`
}

// The detector names of this package, as they appear in Alert.Source.
const (
	SourceFalco      = "falco"
	SourceBruteForce = "detect.brute_force"
	// SourceBruteForceSuccess flags a successful sign-in, from a source
	// that brute-forced shortly before, to an account it attacked or after
	// it sprayed many accounts: a likely compromised account.
	SourceBruteForceSuccess = "detect.brute_force_success"
	// SourceBruteForceNearby flags a successful sign-in to another account
	// from a source that brute-forced one account: worth a look, not
	// evidence of a compromise (people share addresses behind NAT).
	SourceBruteForceNearby = "detect.brute_force_nearby"
	SourceDenialBurst      = "detect.denial_burst"
	SourceEnumeration      = "detect.enumeration"
	SourceNewSource        = "detect.new_source"
)

// DefaultRules returns the default response table. The first row that
// matches an alert decides; an alert that matches none is only recorded.
//
//   - Falco rules that show an interactive intrusion or a credential grab
//     (a terminal shell, a sensitive file read, a container calling the
//     Kubernetes API) and any Falco alert of high severity (Error and above)
//     quarantine the workload for 15 minutes and raise its risk.
//   - Falco Warning alerts raise the workload's risk by 30 for 30 minutes.
//   - Brute force against an account raises its risk by 60 (policy should
//     demand a step-up); a successful sign-in, from a source that was brute
//     forcing, to an account it attacked (or to any account after it
//     sprayed many) revokes the new session and raises the account's risk
//     by 80; a sign-in from there to another account is only recorded;
//     a burst of denials revokes the prober's session;
//     enumeration raises the risk by 50; sign-in from a new network raises
//     it by 20.
func DefaultRules() []Rule {
	quarantine := []Action{
		{Kind: Quarantine, For: 15 * time.Minute},
		{Kind: RaiseRisk, Points: 80, For: time.Hour},
	}

	return []Rule{
		{
			Name: "falco.intrusion",
			Match: Match{Sources: []string{SourceFalco}, Rules: []string{
				"Terminal shell in container",
				"Read sensitive file untrusted",
				"Read sensitive file trusted after startup",
				"Contact K8S API Server From Container",
				"Drop and execute new binary in container",
			}},
			Actions: quarantine,
		},
		{
			Name:    "falco.high",
			Match:   Match{Sources: []string{SourceFalco}, MinSeverity: SeverityHigh},
			Actions: quarantine,
		},
		{
			Name:    "falco.warning",
			Match:   Match{Sources: []string{SourceFalco}, MinSeverity: SeverityMedium},
			Actions: []Action{{Kind: RaiseRisk, Points: 30, For: 30 * time.Minute}},
		},
		{
			Name:    "audit.brute_force",
			Match:   Match{Sources: []string{SourceBruteForce}},
			Actions: []Action{{Kind: RaiseRisk, Points: 60, For: time.Hour}},
		},
		{
			Name:  "audit.brute_force_success",
			Match: Match{Sources: []string{SourceBruteForceSuccess}},
			Actions: []Action{
				{Kind: RevokeSession, For: 12 * time.Hour},
				{Kind: RaiseRisk, Points: 80, For: time.Hour},
			},
		},
		{
			Name:    "audit.brute_force_nearby",
			Match:   Match{Sources: []string{SourceBruteForceNearby}},
			Actions: []Action{{Kind: Notify}},
		},
		{
			Name:  "audit.denial_burst",
			Match: Match{Sources: []string{SourceDenialBurst}},
			Actions: []Action{
				{Kind: RevokeSession, For: 12 * time.Hour},
				{Kind: RaiseRisk, Points: 50, For: time.Hour},
			},
		},
		{
			Name:    "audit.enumeration",
			Match:   Match{Sources: []string{SourceEnumeration}},
			Actions: []Action{{Kind: RaiseRisk, Points: 50, For: time.Hour}},
		},
		{
			Name:    "audit.new_source",
			Match:   Match{Sources: []string{SourceNewSource}},
			Actions: []Action{{Kind: RaiseRisk, Points: 20, For: time.Hour}},
		},
	}
}
