package falco_test

import (
	"errors"
	"testing"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
)

func TestWorkloadName(t *testing.T) {
	tests := map[string]string{
		"mysql-db-7c5d8f9b6-qrstu":             "mysql-db",
		"falco-falcosidekick-0000000000-xxxxx": "falco-falcosidekick",
		"agent-x7k2p":                          "agent",
		"db-0":                                 "db",
		"alpine":                               "alpine",
		"my-app-proxy":                         "my-app-proxy", // no digit: not generated
		"web-abcde":                            "web-abcde",
		"a-B7k2p":                              "a-B7k2p", // generated names are lower case
	}
	for pod, want := range tests {
		if got := falco.WorkloadName(pod); got != want {
			t.Errorf("WorkloadName(%q) = %q, want %q", pod, got, want)
		}
	}
}

func TestTemplate(t *testing.T) {
	sa := func(ns, pod string) (string, bool) {
		if ns == "finance" && pod == "backend-5d9c7b8f6-k2x9z" {
			return "backend-sa", true
		}
		return "", false
	}
	m, err := falco.Template("example.org", "/ns/{ns}/sa/{sa}", sa)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		k    *detect.Kubernetes
		want string
	}{
		{"looked up", &detect.Kubernetes{Namespace: "finance", Pod: "backend-5d9c7b8f6-k2x9z"},
			"spiffe://example.org/ns/finance/sa/backend-sa"},
		{"unknown pod", &detect.Kubernetes{Namespace: "finance", Pod: "other"}, ""},
		{"no namespace", &detect.Kubernetes{Pod: "backend-5d9c7b8f6-k2x9z"}, ""},
		{"nil", nil, ""},
		{"given account", &detect.Kubernetes{Namespace: "a", ServiceAccount: "b"},
			"spiffe://example.org/ns/a/sa/b"},
		{"invalid path character", &detect.Kubernetes{Namespace: "a b", ServiceAccount: "c"}, ""},
		{"slash smuggled", &detect.Kubernetes{Namespace: "a/sa/x", ServiceAccount: "c"}, ""},
		{"dot segment", &detect.Kubernetes{Namespace: "..", ServiceAccount: "c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m(tt.k)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("map = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestTemplateImage(t *testing.T) {
	m, err := falco.Template("example.org", "/image/{image}/pod/{pod}", nil)
	if err != nil {
		t.Fatal(err)
	}

	got, ok := m(&detect.Kubernetes{Pod: "p", Image: "docker.io/library/mysql:8@sha256:00"})
	if want := "spiffe://example.org/image/mysql/pod/p"; !ok || got != want {
		t.Errorf("map = %q, %v; want %q", got, ok, want)
	}
}

func TestTemplateRefusesBadPatterns(t *testing.T) {
	tests := []struct{ name, td, path string }{
		{"bad trust domain", "Example Org", "/ns/{ns}"},
		{"relative path", "example.org", "ns/{ns}"},
		{"unknown placeholder", "example.org", "/ns/{namespace}"},
		{"unclosed", "example.org", "/ns/{ns"},
		{"sa without lookup", "example.org", "/ns/{ns}/sa/{sa}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := falco.Template(tt.td, tt.path, nil); !errors.Is(err, falco.ErrTemplate) {
				t.Errorf("err = %v, want ErrTemplate", err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	m := falco.Lookup(map[string]string{
		"finance/backend": "spiffe://example.org/financeapp/backend",
	})

	got, ok := m(&detect.Kubernetes{Namespace: "finance", Pod: "backend-5d9c7b8f6-k2x9z"})
	if !ok || got != "spiffe://example.org/financeapp/backend" {
		t.Errorf("map = %q, %v", got, ok)
	}
	if _, ok := m(&detect.Kubernetes{Namespace: "other", Pod: "backend-5d9c7b8f6-k2x9z"}); ok {
		t.Error("mapped a pod of another namespace")
	}
}
