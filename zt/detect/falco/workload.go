package falco

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/detect"
)

// Kubernetes returns what a says about the pod, container and process
// involved, from its output fields (never from the output text): the
// k8s.* and container.* fields of a syscall alert, the k8smeta plugin's
// fields, or the ka.* fields of a legacy k8s_audit alert. It returns nil
// when the alert names no namespace, pod, container, image or process.
func (a *Alert) Kubernetes() *detect.Kubernetes {
	f := a.Fields
	k := &detect.Kubernetes{
		Namespace: first(f, "k8s.ns.name", "k8smeta.ns.name", "ka.target.namespace"),
		Pod: first(f, "k8s.pod.name", "k8smeta.pod.name",
			"ka.target.name", "ka.resp.name"),
		ContainerID: first(f, "container.id"),
		Image:       first(f, "container.image.repository", "container.image"),
		Process:     first(f, "proc.name"),
	}
	if k.Image == "" {
		if images := f.Strings("ka.req.pod.containers.image"); len(images) > 0 {
			k.Image = images[0]
		}
	}

	if *k == (detect.Kubernetes{}) {
		return nil
	}

	return k
}

func first(f Fields, keys ...string) string {
	for _, key := range keys {
		if v, ok := f.String(key); ok {
			return v
		}
	}

	return ""
}

// Mapper returns the SPIFFE ID of the workload that k describes, or false
// when it cannot tell. A response can quarantine only a mapped workload, so
// a Mapper must never guess: a wrong ID quarantines an innocent workload.
type Mapper func(k *detect.Kubernetes) (string, bool)

// ServiceAccountFunc returns the service account of a pod, for example
// from an informer's cache.
type ServiceAccountFunc func(namespace, pod string) (string, bool)

// ErrTemplate is returned by Template for a pattern it cannot use.
var ErrTemplate = errors.New("falco: invalid workload template")

var placeholders = map[string]func(k *detect.Kubernetes) string{
	"ns":       func(k *detect.Kubernetes) string { return k.Namespace },
	"pod":      func(k *detect.Kubernetes) string { return k.Pod },
	"sa":       func(k *detect.Kubernetes) string { return k.ServiceAccount },
	"workload": func(k *detect.Kubernetes) string { return WorkloadName(k.Pod) },
	"image":    func(k *detect.Kubernetes) string { return imageName(k.Image) },
}

// Template returns a Mapper that fills path, a SPIFFE ID path in
// trustDomain, with the alert's facts: {ns} the namespace, {pod} the pod,
// {workload} the pod's owner name (see WorkloadName), {image} the last
// element of the image repository, and {sa} the service account that sa
// reports (sa may be nil when path does not use {sa}). For example
// Template("example.org", "/ns/{ns}/sa/{sa}", lookup) maps the way SPIRE's
// Kubernetes workload registrar names workloads by default. An alert that
// lacks a fact the path needs is not mapped.
func Template(trustDomain, path string, sa ServiceAccountFunc) (Mapper, error) {
	td, err := spiffeid.TrustDomainFromString(trustDomain)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}

	parts, err := parseTemplate(path)
	if err != nil {
		return nil, err
	}
	if sa == nil && strings.Contains(path, "{sa}") {
		return nil, fmt.Errorf("%w: {sa} needs a service account lookup", ErrTemplate)
	}

	return func(k *detect.Kubernetes) (string, bool) {
		if k == nil {
			return "", false
		}
		if sa != nil && k.ServiceAccount == "" && k.Namespace != "" && k.Pod != "" {
			if name, ok := sa(k.Namespace, k.Pod); ok {
				c := *k
				c.ServiceAccount = name
				k = &c
			}
		}

		return expand(td, parts, k)
	}, nil
}

// parseTemplate splits path into literal text and placeholder names, the
// latter marked by a leading "{".
func parseTemplate(path string) ([]string, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%w: path %q must start with /", ErrTemplate, path)
	}

	var parts []string
	for rest := path; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			parts = append(parts, rest)
			break
		}

		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("%w: unclosed { in %q", ErrTemplate, path)
		}

		name := rest[open+1 : open+end]
		if placeholders[name] == nil {
			return nil, fmt.Errorf("%w: unknown placeholder {%s}", ErrTemplate, name)
		}

		parts = append(parts, rest[:open], "{"+name)
		rest = rest[open+end+1:]
	}

	return parts, nil
}

func expand(td spiffeid.TrustDomain, parts []string, k *detect.Kubernetes) (string, bool) {
	var b strings.Builder
	for _, p := range parts {
		if !strings.HasPrefix(p, "{") {
			b.WriteString(p)
			continue
		}

		v := placeholders[p[1:]](k)
		if v == "" || strings.ContainsAny(v, "/{}") {
			return "", false
		}
		b.WriteString(v)
	}

	id, err := spiffeid.FromPath(td, b.String())
	if err != nil {
		return "", false
	}

	return id.String(), true
}

// Lookup returns a Mapper that looks the workload up in ids, keyed by
// "namespace/workload" (see WorkloadName), for example
// "finance/backend": "spiffe://example.org/financeapp/backend".
func Lookup(ids map[string]string) Mapper {
	return func(k *detect.Kubernetes) (string, bool) {
		if k == nil || k.Namespace == "" || k.Pod == "" {
			return "", false
		}

		id, ok := ids[k.Namespace+"/"+WorkloadName(k.Pod)]

		return id, ok
	}
}

// WorkloadName returns the name of the controller that owns a pod, from the
// names Kubernetes generates: "api-7c5d8f9b6-q2rst" (a Deployment's pod)
// gives "api", "agent-x7k2p" (a DaemonSet's) gives "agent" and "db-0" (a
// StatefulSet's) gives "db". A name that does not look generated is
// returned as it is.
func WorkloadName(pod string) string {
	segs := strings.Split(pod, "-")
	n := len(segs)
	if n < 2 {
		return pod
	}

	last := segs[n-1]
	switch {
	case isDigits(last):
		return strings.Join(segs[:n-1], "-")
	case len(last) != 5 || !isLowerAlnum(last):
		return pod
	case n >= 3 && isHash(segs[n-2]):
		return strings.Join(segs[:n-2], "-")
	case strings.ContainsAny(last, "0123456789"):
		return strings.Join(segs[:n-1], "-")
	}

	return pod
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isLowerAlnum(s string) bool {
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// isHash reports whether s looks like a pod-template hash.
func isHash(s string) bool {
	return len(s) >= 6 && len(s) <= 10 && isLowerAlnum(s) &&
		strings.ContainsAny(s, "0123456789")
}

// imageName returns the last path element of a repository, without tag or
// digest: "docker.io/library/mysql:8" gives "mysql".
func imageName(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, '/'); i >= 0 {
		image = image[i+1:]
	}
	if i := strings.IndexByte(image, ':'); i >= 0 {
		image = image[:i]
	}

	return image
}
