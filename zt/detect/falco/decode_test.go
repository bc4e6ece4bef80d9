package falco_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/zt/detect/falco"
)

func TestDecodeShapesOutsideTheDataSet(t *testing.T) {
	f05 := loadCases(t)["F05"].Payload
	quoted, err := json.Marshal(string(f05))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		input string
		check func(t *testing.T, a *falco.Alert)
	}{
		{"double-encoded", string(quoted), func(t *testing.T, a *falco.Alert) {
			if a.Rule != "Terminal shell in container" {
				t.Errorf("rule = %q", a.Rule)
			}
		}},
		{"cloudevent", `{"specversion":"1.0","id":"1","source":"falco","type":"x","data":` +
			string(f05) + `}`, func(t *testing.T, a *falco.Alert) {
			if k := a.Kubernetes(); k == nil || k.Pod != "alpine" {
				t.Errorf("kubernetes = %+v", k)
			}
		}},
		{"upper-case priority and info", `{"rule":"r","priority":"INFO","time":"2020-01-01T00:00:00Z"}`,
			func(t *testing.T, a *falco.Alert) {
				if a.Priority != falco.PriorityInformational || a.Fields == nil {
					t.Errorf("priority = %v, fields = %v", a.Priority, a.Fields)
				}
			}},
		{"no time member, integer evt.time",
			`{"rule":"r","priority":"Notice","output_fields":{"evt.time":1645527193816521484}}`,
			func(t *testing.T, a *falco.Alert) {
				if a.Time.UnixNano() != 1645527193816521484 {
					t.Errorf("time = %d", a.Time.UnixNano())
				}
			}},
		{"placeholders and empty container ID",
			`{"rule":"r","priority":"Warning","time":"2020-01-01T00:00:00Z","output_fields":` +
				`{"container.id":"","k8s.ns.name":"<NA>","k8s.pod.name":"N/A","proc.name":null}}`,
			func(t *testing.T, a *falco.Alert) {
				if k := a.Kubernetes(); k != nil {
					t.Errorf("kubernetes = %+v, want nil", k)
				}
			}},
		{"output fields encoded as a string",
			`{"rule":"r","priority":"Warning","time":"2020-01-01T00:00:00Z","output_fields":` +
				`"{\"ka.target.namespace\":\"ns\",\"ka.resp.name\":\"web-0\"}"}`,
			func(t *testing.T, a *falco.Alert) {
				if k := a.Kubernetes(); k == nil || k.Namespace != "ns" || k.Pod != "web-0" {
					t.Errorf("kubernetes = %+v", k)
				}
			}},
		{"k8s_audit image list encoded as a string",
			`{"rule":"r","priority":"Warning","time":"2020-01-01T00:00:00Z","output_fields":` +
				`{"ka.req.pod.containers.image":"[\"nginx:1\",\"busybox\"]","ka.target.namespace":"a"}}`,
			func(t *testing.T, a *falco.Alert) {
				k := a.Kubernetes()
				if a.Source != "k8s_audit" || k == nil || k.Image != "nginx:1" {
					t.Errorf("source %q, kubernetes %+v", a.Source, k)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := falco.Decode([]byte(tt.input))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			tt.check(t, a)
		})
	}
}

func TestDecodeRefusesMalformed(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "not a JSON object"},
		{"not JSON", "rule=x", "not a JSON object"},
		{"array", `[{"rule":"r"}]`, "not a JSON object"},
		{"truncated", `{"rule":"r","priority":`, "unexpected EOF"},
		{"trailing data", `{"rule":"r","priority":"Notice","time":"2020-01-01T00:00:00Z"} x`,
			"trailing data"},
		{"no rule", `{"priority":"Notice","time":"2020-01-01T00:00:00Z"}`, "no rule"},
		{"blank rule", `{"rule":" ","priority":"Notice","time":"2020-01-01T00:00:00Z"}`,
			"no rule"},
		{"no priority", `{"rule":"r","time":"2020-01-01T00:00:00Z"}`, "no priority"},
		{"unknown priority", `{"rule":"r","priority":"Panic","time":"2020-01-01T00:00:00Z"}`,
			"unknown priority"},
		{"no time", `{"rule":"r","priority":"Notice"}`, "no time"},
		{"bad time", `{"rule":"r","priority":"Notice","time":"yesterday"}`, "not RFC 3339"},
		{"rule is a number", `{"rule":7,"priority":"Notice","time":"2020-01-01T00:00:00Z"}`,
			`field "rule"`},
		{"output_fields is a list", `{"rule":"r","priority":"Notice",` +
			`"time":"2020-01-01T00:00:00Z","output_fields":[1]}`, "not a JSON object"},
		{"output_fields is a quoted list", `{"rule":"r","priority":"Notice",` +
			`"time":"2020-01-01T00:00:00Z","output_fields":"[1]"}`, "not a JSON object"},
		{"NUL in rule", `{"rule":"a\u0000b","priority":"Notice","time":"2020-01-01T00:00:00Z"}`,
			"clean UTF-8"},
		{"cloudevent without data", `{"specversion":"1.0","id":"1"}`, "without data"},
		{"doubly quoted twice", `"\"{}\""`, "not a JSON object"},
		{"too many fields", tooManyFields(), "output fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := falco.Decode([]byte(tt.input))
			if !errors.Is(err, falco.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func tooManyFields() string {
	var b strings.Builder
	b.WriteString(`{"rule":"r","priority":"Notice","time":"2020-01-01T00:00:00Z","output_fields":{`)
	for i := range falco.MaxFields + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"f` + strconv.Itoa(i) + `":1`)
	}
	b.WriteString("}}")

	return b.String()
}

// FuzzDecode checks that Decode never panics, and that what it accepts
// survives a round trip through its own JSON form unchanged.
func FuzzDecode(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add([]byte(c.Payload))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := falco.Decode(data)
		if err != nil {
			if !errors.Is(err, falco.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}

		again := roundTrip(t, a)
		if again.Rule != a.Rule || again.Priority != a.Priority ||
			!again.Time.Equal(a.Time) || again.Source != a.Source {
			t.Fatalf("round trip changed the alert: %+v != %+v", again, a)
		}
		_ = a.Detection(nil)
	})
}

func roundTrip(t *testing.T, a *falco.Alert) *falco.Alert {
	t.Helper()

	data, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}

	again, err := falco.Decode(data)
	if err != nil {
		t.Fatalf("decode of %s: %v", data, err)
	}

	return again
}
