package caep

import (
	"fmt"
	"time"

	"github.com/ztkit/ztkit/zt/revoke"
)

// securityEvent is the part of a verified SET that the Receiver uses.
type securityEvent struct {
	issuer string
	jti    string
	iat    time.Time
	subID  any // the SSF top-level "sub_id", or nil
	events map[string]map[string]any
}

func parseSET(claims map[string]any) (*securityEvent, error) {
	set := &securityEvent{subID: claims["sub_id"]}
	set.issuer, _ = claims["iss"].(string)
	set.jti, _ = claims["jti"].(string)

	if iat, ok := claims["iat"].(float64); ok {
		set.iat = time.Unix(int64(iat), 0)
	}

	if set.jti == "" {
		return nil, badRequest("jti missing")
	}

	raw, ok := claims["events"].(map[string]any)
	if !ok || len(raw) == 0 {
		return nil, badRequest("events claim missing or empty")
	}

	set.events = make(map[string]map[string]any, len(raw))
	for uri, payload := range raw {
		p, ok := payload.(map[string]any)
		if !ok {
			return nil, badRequest("event payload is not an object")
		}

		set.events[uri] = p
	}

	return set, nil
}

// plan maps every event of set to what it asks for; one unknown or malformed
// event refuses the whole SET, so that nothing is half applied.
func (rx *Receiver) plan(set *securityEvent, now time.Time) ([]action, error) {
	var out []action

	for uri, payload := range set.events {
		a, err := rx.planEvent(set, uri, payload, now)
		if err != nil {
			return nil, err
		}

		if a != nil {
			out = append(out, *a)
		}
	}

	return out, nil
}

func (rx *Receiver) planEvent(
	set *securityEvent, uri string, payload map[string]any, now time.Time,
) (*action, error) {
	simple, ok := map[string]func(string) string{
		EventSessionRevoked:         asSession,
		EventCredentialChange:       asUser,
		EventDeviceComplianceChange: asDevice,
		EventAssuranceLevelChange:   asUser,
	}[uri]

	switch {
	case uri == EventVerification:
		return nil, nil
	case !ok:
		return nil, badRequest("unsupported event type")
	}

	subject := payload["subject"]
	if subject == nil {
		subject = set.subID
	}

	sub, err := parseSubject(subject, simple)
	if err != nil {
		return nil, badRequest(fmt.Sprintf("%s: %v", shortName(uri), err))
	}

	at := eventTime(payload, set.iat)
	if at.IsZero() || at.After(now) {
		at = now
	}

	a := &action{event: uri, subject: sub}
	if err := rx.mapEvent(a, payload, at, set.issuer); err != nil {
		return nil, err
	}

	return a, nil
}

// mapEvent fills the revocations and risk update of one event.
func (rx *Receiver) mapEvent(a *action, payload map[string]any, at time.Time, issuer string) error {
	reason := "caep." + shortName(a.event)
	expires := at.Add(rx.cfg.CredentialTTL)
	older := func(k revoke.Kind, v string) revoke.Entry {
		return revoke.Entry{Kind: k, Value: v, Expires: expires, IssuedBefore: at, Reason: reason}
	}

	risk := func(signal string, raised bool) *RiskUpdate {
		return &RiskUpdate{
			Subject: a.subject, Signal: signal, Raised: raised, Time: at, Transmitter: issuer,
		}
	}

	switch a.event {
	case EventSessionRevoked:
		if a.subject.Session != "" {
			a.revoke = append(a.revoke, revoke.Entry{
				Kind: revoke.Session, Value: a.subject.Session, Expires: expires, Reason: reason,
			})
		} else {
			a.revoke = append(a.revoke, older(revoke.Subject, a.subject.User))
		}
	case EventCredentialChange:
		return rx.credentialChange(a, payload, older)
	case EventDeviceComplianceChange:
		return deviceCompliance(a, payload, older, risk)
	case EventAssuranceLevelChange:
		return assuranceChange(a, payload, older, risk)
	}

	return nil
}

func (rx *Receiver) credentialChange(a *action, payload map[string]any,
	older func(revoke.Kind, string) revoke.Entry) error {
	change, _ := payload["change_type"].(string)

	switch {
	case a.subject.User == "":
		return badRequest("credential_change: subject names no user")
	case change == "create":
		return nil
	case change == "revoke" || change == "update" || change == "delete":
		a.revoke = append(a.revoke, older(revoke.Subject, a.subject.User))
		return nil
	default:
		return badRequest("credential_change: unknown change_type")
	}
}

func deviceCompliance(a *action, payload map[string]any,
	older func(revoke.Kind, string) revoke.Entry, risk func(string, bool) *RiskUpdate) error {
	status, _ := payload["current_status"].(string)

	switch {
	case a.subject.Device == "":
		return badRequest("device_compliance_change: subject names no device")
	case status == "not-compliant":
		a.revoke = append(a.revoke, older(revoke.Device, a.subject.Device))
		a.risk = risk("device.not_compliant", true)
	case status == "compliant":
		a.risk = risk("device.not_compliant", false)
	default:
		return badRequest("device_compliance_change: unknown current_status")
	}

	return nil
}

func assuranceChange(a *action, payload map[string]any,
	older func(revoke.Kind, string) revoke.Entry, risk func(string, bool) *RiskUpdate) error {
	direction, _ := payload["change_direction"].(string)
	if _, ok := payload["current_level"].(string); !ok {
		return badRequest("assurance_level_change: current_level missing")
	}

	switch direction {
	case "decrease":
		a.risk = risk("assurance.decreased", true)
		if a.subject.Session != "" {
			a.revoke = append(a.revoke, older(revoke.Session, a.subject.Session))
		}
	case "increase", "":
		a.risk = risk("assurance.decreased", false)
	default:
		return badRequest("assurance_level_change: unknown change_direction")
	}

	return nil
}
