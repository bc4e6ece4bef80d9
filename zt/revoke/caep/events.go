package caep

import (
	"fmt"
	"strings"
	"time"
)

// Event type URIs understood by the Receiver.
const (
	EventSessionRevoked         = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
	EventCredentialChange       = "https://schemas.openid.net/secevent/caep/event-type/credential-change"
	EventDeviceComplianceChange = "https://schemas.openid.net/secevent/caep/event-type/device-compliance-change"
	EventAssuranceLevelChange   = "https://schemas.openid.net/secevent/caep/event-type/assurance-level-change"

	// EventVerification is the Shared Signals stream verification event; it
	// is accepted and changes nothing.
	EventVerification = "https://schemas.openid.net/secevent/ssf/event-type/verification"
)

// Subject is who or what an event is about, as far as ztkit can identify it.
type Subject struct {
	// User is the subject's user ID (matched against zt.User.ID).
	User string

	// Session is a session ID (matched against zt.User.SessionID).
	Session string

	// Device is a device ID (matched against zt.Device.ID).
	Device string
}

// identifier returns the value of a Subject Identifier (RFC 9493) object.
func identifier(v any) (string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("subject identifier is not an object")
	}

	format, _ := m["format"].(string)

	field, ok := map[string]string{
		"opaque": "id", "iss_sub": "sub", "email": "email", "phone_number": "phone_number",
		"account": "uri", "uri": "uri", "did": "url", "jwt_id": "jti",
		"saml_assertion_id": "assertion_id",
	}[format]
	if !ok {
		return "", fmt.Errorf("subject identifier format %q is not supported", format)
	}

	s, _ := m[field].(string)
	if s == "" {
		return "", fmt.Errorf("subject identifier %q lacks %q", format, field)
	}

	return s, nil
}

// parseSubject reads a subject: a complex subject (members user, session,
// device) or a simple identifier, which names a "user", a "session" or a
// "device" according to what simple returns for its format.
func parseSubject(v any, simple func(format string) string) (Subject, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Subject{}, fmt.Errorf("subject missing")
	}

	if _, isSimple := m["format"]; isSimple && m["format"] != "complex" {
		id, err := identifier(m)
		if err != nil {
			return Subject{}, err
		}

		format, _ := m["format"].(string)

		return simpleSubject(id, simple(format)), nil
	}

	var s Subject
	parts := map[string]*string{"user": &s.User, "session": &s.Session, "device": &s.Device}
	for name, dst := range parts {
		if part, ok := m[name]; ok {
			id, err := identifier(part)
			if err != nil {
				return Subject{}, fmt.Errorf("%s: %w", name, err)
			}

			*dst = id
		}
	}

	if s == (Subject{}) {
		return Subject{}, fmt.Errorf("subject names no user, session or device")
	}

	return s, nil
}

func simpleSubject(id, as string) Subject {
	switch as {
	case "session":
		return Subject{Session: id}
	case "device":
		return Subject{Device: id}
	default:
		return Subject{User: id}
	}
}

// eventTime returns the event's "event_timestamp", or fallback.
func eventTime(payload map[string]any, fallback time.Time) time.Time {
	if ts, ok := payload["event_timestamp"].(float64); ok && ts > 0 {
		return time.Unix(int64(ts), 0)
	}

	return fallback
}

// shortName returns the last path segment of an event type URI, with
// dashes as underscores: "session_revoked".
func shortName(eventType string) string {
	i := strings.LastIndexByte(eventType, '/')

	return strings.ReplaceAll(eventType[i+1:], "-", "_")
}

// asUser reads a simple identifier as a user.
func asUser(string) string { return "user" }

// asDevice reads a simple identifier as a device.
func asDevice(string) string { return "device" }

// asSession reads an opaque identifier as a session and any other as a user.
func asSession(format string) string {
	if format == "opaque" {
		return "session"
	}

	return "user"
}
