package falco_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
)

// recorded is one line of testdata/cases.jsonl.
type recorded struct {
	CaseID  string          `json:"case_id"`
	Notes   string          `json:"notes"`
	Payload json.RawMessage `json:"payload"`
}

func loadCases(t testing.TB) map[string]recorded {
	t.Helper()

	f, err := os.Open("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	cases := make(map[string]recorded)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c recorded
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases[c.CaseID] = c
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	return cases
}

// mapper maps pods the way the tests' cluster names its workloads.
func mapper(t testing.TB) falco.Mapper {
	t.Helper()

	m, err := falco.Template("example.org", "/ns/{ns}/workload/{workload}", nil)
	if err != nil {
		t.Fatal(err)
	}

	return m
}

type expectation struct {
	rule     string
	priority falco.Priority
	source   string
	time     string // RFC 3339 with nanoseconds
	evtTime  int64  // the exact integer evt.time, 0 when absent
	k8s      *detect.Kubernetes
	workload string
	tags     int
}

var expected = map[string]expectation{
	"F01": {
		rule: "New process started", priority: falco.PriorityInformational,
		source: "syscall", time: "2018-03-26T16:59:59.652105834Z",
		evtTime: 1522083599652105834,
		k8s:     &detect.Kubernetes{Process: "sh"},
	},
	"F03": {
		rule: "Create HostNetwork Pod", priority: falco.PriorityWarning,
		source: "k8s_audit", time: "2020-05-07T07:03:05.06326912Z",
		k8s: &detect.Kubernetes{
			Namespace: "event-generator",
			Pod:       "hostnetwork-deployment-6f7c9d8b5-abcde",
			Image:     "busybox",
		},
		workload: "spiffe://example.org/ns/event-generator/workload/hostnetwork-deployment",
	},
	"F05": {
		// The time member keeps ...590; evt.time went through a float64.
		rule: "Terminal shell in container", priority: falco.PriorityNotice,
		source: "syscall", time: "2021-01-11T23:46:19.82302759Z",
		evtTime: 1610408779823027700,
		k8s: &detect.Kubernetes{
			Namespace: "default", Pod: "alpine", ContainerID: "3b9e1c7a5d20",
			Image: "mysql", Process: "bash",
		},
		workload: "spiffe://example.org/ns/default/workload/alpine",
	},
	"F06": {
		rule: "Write below etc", priority: falco.PriorityError,
		source: "syscall", time: "2022-02-22T10:53:13.816521484Z",
		evtTime: 1645527193816521484, tags: 2,
		k8s: &detect.Kubernetes{ContainerID: "8e41c0b7d2fa", Process: "ruby2.6"},
	},
	"F09": {
		rule: "Terminal shell in container", priority: falco.PriorityNotice,
		source: "syscall", time: "2026-07-10T16:19:55.182258301Z", tags: 5,
		k8s: &detect.Kubernetes{
			ContainerID: "5c2f8a91d4e7", Image: "alpine", Process: "sh",
		},
	},
	"F11": {
		rule: "Test rule", priority: falco.PriorityDebug,
		source: "syscall", time: "2001-01-01T01:10:00Z", tags: 2,
		k8s: &detect.Kubernetes{Process: "falcosidekick"},
	},
	"F13": {
		rule: "Write below etc", priority: falco.PriorityError,
		source: "syscall", time: "2022-02-22T10:53:13.816521484Z",
		evtTime: 1645527193816521484, tags: 2,
		k8s: &detect.Kubernetes{ContainerID: "8e41c0b7d2fa", Process: "ruby2.6"},
	},
	"F14": {
		rule: "Contact K8S API Server From Container", priority: falco.PriorityNotice,
		source: "syscall", time: "2024-08-26T07:51:07.286308628Z",
		k8s: &detect.Kubernetes{
			Namespace: "falco", Pod: "falco-falcosidekick-0000000000-xxxxx",
			ContainerID: "617acf2d31de", Image: "docker.io/falcosecurity/falcosidekick",
			Process: "falcosidekick",
		},
		workload: "spiffe://example.org/ns/falco/workload/falco-falcosidekick",
	},
}

func TestDecodeEveryRecordedCase(t *testing.T) {
	cases := loadCases(t)
	if len(cases) != len(expected) {
		t.Fatalf("data set has %d cases, the table %d", len(cases), len(expected))
	}

	m := mapper(t)
	for id, c := range cases {
		t.Run(id, func(t *testing.T) {
			want, ok := expected[id]
			if !ok {
				t.Fatalf("no expectation for case %s (%s)", id, c.Notes)
			}

			a, err := falco.Decode(c.Payload)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkAlert(t, a, want)

			d := a.Detection(m)
			if d.Subject.Workload != want.workload {
				t.Errorf("workload = %q, want %q", d.Subject.Workload, want.workload)
			}
			if d.Severity != a.Priority.Severity() || d.Source != detect.SourceFalco {
				t.Errorf("detection = %+v", d)
			}
		})
	}
}

func checkAlert(t *testing.T, a *falco.Alert, want expectation) {
	t.Helper()

	if a.Rule != want.rule || a.Priority != want.priority || a.Source != want.source {
		t.Errorf("rule, priority, source = %q, %v, %q; want %q, %v, %q",
			a.Rule, a.Priority, a.Source, want.rule, want.priority, want.source)
	}
	if got := a.Time.Format(time.RFC3339Nano); got != want.time {
		t.Errorf("time = %s, want %s", got, want.time)
	}
	if n, ok := a.Fields.Int("evt.time"); ok != (want.evtTime != 0) || n != want.evtTime {
		t.Errorf("evt.time = %d, %v; want %d", n, ok, want.evtTime)
	}
	if len(a.Tags) != want.tags {
		t.Errorf("tags = %v, want %d of them", a.Tags, want.tags)
	}

	got := a.Kubernetes()
	if (got == nil) != (want.k8s == nil) || got != nil && *got != *want.k8s {
		t.Errorf("kubernetes = %+v, want %+v", got, want.k8s)
	}
}

// F06 (Falco's http_output) and F13 (falcosidekick's webhook) are one event
// delivered two ways: they must be one alert.
func TestSameEventTwoSendersOneID(t *testing.T) {
	cases := loadCases(t)
	m := mapper(t)

	var ids []string
	for _, id := range []string{"F06", "F13"} {
		a, err := falco.Decode(cases[id].Payload)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.Detection(m).ID)
	}

	if ids[0] != ids[1] {
		t.Fatalf("IDs differ: %v", ids)
	}
}
