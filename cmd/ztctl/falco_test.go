package main

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
	"github.com/ztkit/ztkit/zt/revoke"
)

const casesFile = "../../zt/detect/falco/testdata/cases.jsonl"

func replay(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return execute(t, falcoReplayCmd(), stdin, args...)
}

// lineOf returns the output line of a case.
func lineOf(out, label string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, label+" ") {
			return line
		}
	}
	return ""
}

func TestReplayDryRun(t *testing.T) {
	out, err := replay(t, "", "--file", casesFile, "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	want := map[string]string{
		"F05": "workload=spiffe://example.org/ns/default/workload/alpine quarantine:dry_run",
		"F13": "notify:duplicate",
		"F14": "quarantine:protected.namespace",
		"F01": "notify:taken",
	}
	for id, w := range want {
		if line := lineOf(out, id); !strings.Contains(line, w) {
			t.Errorf("%s: %q, want it to contain %q", id, line, w)
		}
	}
}

func TestReplayDryRunReportsMalformed(t *testing.T) {
	stdin := `{"case_id":"ok","payload":{"rule":"r","priority":"Notice","time":"2020-01-01T00:00:00Z"}}
{"rule":"no priority","time":"2020-01-01T00:00:00Z"}
`
	out, err := replay(t, stdin, "--file", "-", "--dry-run")
	if !errors.Is(err, errReplayRefused) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(lineOf(out, "line"), "no priority") || lineOf(out, "ok") == "" {
		t.Errorf("output:\n%s", out)
	}
}

func newReceiver(t *testing.T) (string, *revoke.List) {
	t.Helper()

	list := revoke.NewList(revoke.Config{})
	responder, err := detect.NewResponder(detect.ResponderConfig{Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	mapper, err := falco.Template("example.org", "/ns/{ns}/workload/{workload}", nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := falco.NewReceiver(falco.ReceiverConfig{
		Handler: responder, Mapper: mapper, Token: falco.NewSecret("replay-token"),
	})
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)

	return srv.URL + "/falco", list
}

func TestReplayToReceiver(t *testing.T) {
	url, list := newReceiver(t)
	t.Setenv("ZTCTL_FALCO_TOKEN", "replay-token")

	out, err := replay(t, "", "--file", casesFile, "--url", url, "--case", "F05", "--case", "f14")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	if line := lineOf(out, "F05"); !strings.Contains(line, "202") ||
		!strings.Contains(line, "quarantine:taken") {
		t.Errorf("F05: %q", line)
	}
	if lineOf(out, "F14") == "" || lineOf(out, "F01") != "" {
		t.Errorf("--case filter: \n%s", out)
	}
	if _, ok := list.Revoked(revoke.Workload, "spiffe://example.org/ns/default/workload/alpine"); !ok {
		t.Error("the receiver did not quarantine F05's workload")
	}
	if strings.Contains(out, "replay-token") {
		t.Error("the token was printed")
	}
}

func TestReplayWrongToken(t *testing.T) {
	url, list := newReceiver(t)
	t.Setenv("ZTCTL_FALCO_TOKEN", "wrong")

	out, err := replay(t, "", "--file", casesFile, "--url", url, "--case", "F05")
	if !errors.Is(err, errReplayRefused) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(lineOf(out, "F05"), "401 Unauthorized") || list.Len() != 0 {
		t.Errorf("output: %s", out)
	}
}

func TestReplayRefusesBadTargets(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"remote", []string{"--url", "http://203.0.113.10/falco"}, "not loopback"},
		{"remote name", []string{"--url", "https://falco.example.com/"}, "not loopback"},
		{"lookalike", []string{"--url", "http://127.0.0.1.example.com/"}, "not loopback"},
		{"scheme", []string{"--url", "file:///etc/passwd"}, "want http"},
		{"neither", nil, "either --url or --dry-run"},
		{"both", []string{"--url", "http://127.0.0.1:1/", "--dry-run"}, "either --url or --dry-run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replay(t, "", append([]string{"--file", casesFile}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReplayTargetAllowsRemoteOnRequest(t *testing.T) {
	for _, raw := range []string{"http://localhost:8080/x", "http://[::1]:9/x", "http://127.0.0.2/"} {
		if _, err := replayTarget(raw, false); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if _, err := replayTarget("https://falco.example.com/", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}
