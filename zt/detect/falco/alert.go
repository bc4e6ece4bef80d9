package falco

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what Decode accepts.
const (
	// MaxFields is the most output fields an alert may carry.
	MaxFields = 512
	// MaxTags is the most tags an alert may carry.
	MaxTags = 128
	// MaxStringLen is the longest rule name, priority, source or hostname.
	MaxStringLen = 1024
)

// ErrMalformed is returned by Decode for input that is not a Falco alert:
// invalid JSON, a missing rule, priority or time, or a value of the wrong
// type. Errors wrap it with the reason.
var ErrMalformed = errors.New("falco: malformed alert")

// Alert is a Falco alert as Falco's http_output or falcosidekick's webhook
// posts it (with json_output enabled).
type Alert struct {
	// UUID is the ID that falcosidekick adds; empty from Falco itself.
	UUID string `json:"uuid,omitempty"`

	// Output is the rule's human-readable text. It is for people: facts are
	// taken from Fields, with which the text may disagree.
	Output string `json:"output"`

	// Priority is the rule's priority.
	Priority Priority `json:"priority"`

	// Rule is the name of the rule that fired.
	Rule string `json:"rule"`

	// Time is when the event happened, from the "time" member (or from the
	// integer "evt.time" output field when that member is missing).
	Time time.Time `json:"time"`

	// Source is the event source, "syscall" for the kernel events ("syscalls"
	// from some senders is normalized to it), "k8s_audit" or a plugin's name.
	// Alerts from Falco before 0.26 carry none; Decode then infers "k8s_audit"
	// from ka.* fields and "syscall" otherwise.
	Source string `json:"source"`

	// Tags are the rule's tags; older Falco versions send none.
	Tags []string `json:"tags,omitempty"`

	// Hostname is the node Falco ran on; older versions send none.
	Hostname string `json:"hostname,omitempty"`

	// Fields are the rule's output fields.
	Fields Fields `json:"output_fields"`
}

// wire is the JSON shape of an alert, or of a CloudEvent that carries one.
type wire struct {
	UUID         string          `json:"uuid"`
	Output       string          `json:"output"`
	Priority     *string         `json:"priority"`
	Rule         *string         `json:"rule"`
	Time         *string         `json:"time"`
	Source       string          `json:"source"`
	Tags         []string        `json:"tags"`
	Hostname     string          `json:"hostname"`
	OutputFields json.RawMessage `json:"output_fields"`

	// SpecVersion and Data are set in a structured-mode CloudEvent.
	SpecVersion string          `json:"specversion"`
	Data        json.RawMessage `json:"data"`
}

// Decode parses one alert. It accepts every shape Falco and falcosidekick
// have posted since 2018: with or without source, tags, hostname and uuid,
// any letter case of the priority, nanosecond integers beyond 2^53 (kept
// exact), JSON null or "<NA>" for missing fields, a legacy k8s_audit alert,
// an alert or its output fields JSON-encoded twice (a JSON string holding
// the object) and
// a structured-mode CloudEvent whose data is the alert. Anything else is an
// error wrapping ErrMalformed.
func Decode(data []byte) (*Alert, error) {
	return decode(data, 0)
}

func decode(data []byte, depth int) (*Alert, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' && depth == 0 {
		var inner string
		if err := json.Unmarshal(data, &inner); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}

		return decode([]byte(inner), depth+1)
	}

	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}

	var w wire
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, cleanJSONError(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the alert", ErrMalformed)
	}

	if w.SpecVersion != "" && depth < 2 {
		if len(w.Data) == 0 {
			return nil, fmt.Errorf("%w: CloudEvent without data", ErrMalformed)
		}

		return decode(w.Data, depth+1)
	}

	return w.alert()
}

func cleanJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q must not be a JSON %s", te.Field, te.Value)
	}

	return err.Error()
}

func (w *wire) alert() (*Alert, error) {
	if err := w.check(); err != nil {
		return nil, err
	}

	prio, err := ParsePriority(*w.Priority)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}

	fields, err := decodeFields(w.OutputFields)
	if err != nil {
		return nil, err
	}

	a := &Alert{
		UUID:     w.UUID,
		Output:   w.Output,
		Priority: prio,
		Rule:     *w.Rule,
		Source:   w.Source,
		Tags:     w.Tags,
		Hostname: w.Hostname,
		Fields:   fields,
	}

	if a.Time, err = a.eventTime(w.Time); err != nil {
		return nil, err
	}

	a.Source = normalizeSource(a.Source, a.Fields)

	return a, nil
}

// check refuses missing, oversized or invalid members.
func (w *wire) check() error {
	switch {
	case w.Rule == nil || strings.TrimSpace(*w.Rule) == "":
		return fmt.Errorf("%w: no rule", ErrMalformed)
	case w.Priority == nil:
		return fmt.Errorf("%w: no priority", ErrMalformed)
	case len(w.Tags) > MaxTags:
		return fmt.Errorf("%w: more than %d tags", ErrMalformed, MaxTags)
	}

	for _, s := range []string{*w.Rule, *w.Priority, w.Source, w.Hostname, w.UUID} {
		if len(s) > MaxStringLen || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return fmt.Errorf("%w: a rule, priority, source, hostname or uuid is "+
				"longer than %d bytes or not clean UTF-8", ErrMalformed, MaxStringLen)
		}
	}

	return nil
}

// eventTime returns the event time from the "time" member, which carries
// every nanosecond, or else from the integer "evt.time" of the output
// fields. The latter is no better: falcosidekick decodes output fields into
// float64 values, which keep only about 16 digits of a 19-digit time.
func (a *Alert) eventTime(member *string) (time.Time, error) {
	if member == nil || *member == "" {
		if t, ok := a.Fields.Nanos("evt.time"); ok {
			return t, nil
		}

		return time.Time{}, fmt.Errorf("%w: no time", ErrMalformed)
	}

	t, err := time.Parse(time.RFC3339Nano, *member)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q is not RFC 3339", ErrMalformed,
			truncate(*member, 64))
	}

	return t.UTC(), nil
}

// decodeFields decodes output fields: a JSON object, null, or an object
// JSON-encoded into a string (as some k8s_audit pipelines forwarded them).
func decodeFields(raw json.RawMessage) (Fields, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Fields{}, nil
	}

	if raw[0] == '"' {
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, fmt.Errorf("%w: output_fields: %v", ErrMalformed, err)
		}
		raw = []byte(inner)
	}

	var f Fields
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil || dec.More() || f == nil {
		return nil, fmt.Errorf("%w: output_fields is not a JSON object", ErrMalformed)
	}
	if len(f) > MaxFields {
		return nil, fmt.Errorf("%w: more than %d output fields", ErrMalformed, MaxFields)
	}

	return f, nil
}

func normalizeSource(src string, f Fields) string {
	switch src {
	case "syscalls":
		return "syscall"
	case "":
		for k := range f {
			if strings.HasPrefix(k, "ka.") || strings.HasPrefix(k, "jevt.") {
				return "k8s_audit"
			}
		}

		return "syscall"
	}

	return src
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}

	return s[:n] + "..."
}
