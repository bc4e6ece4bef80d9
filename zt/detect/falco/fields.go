package falco

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Priority is a Falco rule priority.
type Priority uint8

// The Falco priorities, from least to most urgent.
const (
	PriorityDebug Priority = iota
	PriorityInformational
	PriorityNotice
	PriorityWarning
	PriorityError
	PriorityCritical
	PriorityAlert
	PriorityEmergency

	numPriorities
)

var priorityNames = [numPriorities]string{
	PriorityDebug:         "Debug",
	PriorityInformational: "Informational",
	PriorityNotice:        "Notice",
	PriorityWarning:       "Warning",
	PriorityError:         "Error",
	PriorityCritical:      "Critical",
	PriorityAlert:         "Alert",
	PriorityEmergency:     "Emergency",
}

// String returns the priority's name as Falco spells it, for example
// "Warning".
func (p Priority) String() string {
	if p >= numPriorities {
		return fmt.Sprintf("priority(%d)", uint8(p))
	}

	return priorityNames[p]
}

// ParsePriority returns the priority named s in any letter case; "info"
// and "warn" are accepted as Falco accepts them in its configuration.
func ParsePriority(s string) (Priority, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info":
		return PriorityInformational, nil
	case "warn":
		return PriorityWarning, nil
	}

	for p := PriorityDebug; p < numPriorities; p++ {
		if strings.EqualFold(priorityNames[p], strings.TrimSpace(s)) {
			return p, nil
		}
	}

	return 0, fmt.Errorf("unknown priority %q", truncate(s, 32))
}

// MarshalText encodes p as its name.
func (p Priority) MarshalText() ([]byte, error) {
	if p >= numPriorities {
		return nil, fmt.Errorf("falco: unknown priority %d", uint8(p))
	}

	return []byte(priorityNames[p]), nil
}

// UnmarshalText decodes a priority name, as ParsePriority does.
func (p *Priority) UnmarshalText(b []byte) error {
	parsed, err := ParsePriority(string(b))
	if err != nil {
		return fmt.Errorf("falco: %w", err)
	}

	*p = parsed

	return nil
}

// Fields are an alert's output fields, keyed by Falco field name ("k8s.ns.name",
// "proc.aname[2]"). Values are strings, json.Number values (integers stay
// exact), booleans, nil or lists, as decoded from JSON.
type Fields map[string]any

// String returns the value of key as text. A missing field, JSON null, an
// empty string and Falco's "<NA>" and "N/A" placeholders all count as absent.
func (f Fields) String(key string) (string, bool) {
	switch v := f[key].(type) {
	case string:
		if v == "" || v == "<NA>" || v == "N/A" {
			return "", false
		}

		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}

	return "", false
}

// Strings returns the values of a list field, such as the k8s_audit
// "ka.req.pod.containers.image". A list encoded as a JSON string is decoded;
// a single value is a list of one.
func (f Fields) Strings(key string) []string {
	v, ok := f[key]
	if !ok {
		return nil
	}

	if s, ok := v.(string); ok && strings.HasPrefix(s, "[") {
		var list []any
		if json.Unmarshal([]byte(s), &list) == nil {
			v = list
		}
	}

	list, ok := v.([]any)
	if !ok {
		if s, ok := f.String(key); ok {
			return []string{s}
		}

		return nil
	}

	var out []string
	for _, item := range list {
		if s, ok := (Fields{"": item}).String(""); ok {
			out = append(out, s)
		}
	}

	return out
}

// Int returns the integer value of key exactly, even beyond 2^53.
func (f Fields) Int(key string) (int64, bool) {
	var s string
	switch v := f[key].(type) {
	case json.Number:
		s = v.String()
	case string:
		s = v
	default:
		return 0, false
	}

	n, err := strconv.ParseInt(s, 10, 64)

	return n, err == nil
}

// Nanos returns the time of a field that holds nanoseconds since the Unix
// epoch, such as "evt.time".
func (f Fields) Nanos(key string) (time.Time, bool) {
	n, ok := f.Int(key)
	if !ok || n <= 0 {
		return time.Time{}, false
	}

	return time.Unix(0, n).UTC(), true
}
