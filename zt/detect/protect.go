package detect

import (
	"slices"
	"strings"
)

// Protection lists what automated responses must never disable: the
// detection and response pipeline itself (Falco, falcosidekick, the service
// that runs the Responder) and anything else an operator names. An alert
// about a protected subject is recorded and reported, but no quarantine,
// revocation or risk raise follows. The defaults of DefaultProtection always
// apply in addition to what a Protection lists.
type Protection struct {
	// Workloads are SPIFFE IDs; one that ends in "/" protects every ID
	// under that path.
	Workloads []string `json:"workloads,omitempty"`

	// Namespaces are Kubernetes namespaces.
	Namespaces []string `json:"namespaces,omitempty"`

	// Images are container image repositories; "falcosecurity/falco"
	// protects that repository on any registry.
	Images []string `json:"images,omitempty"`

	// Processes are process names as Falco reports them.
	Processes []string `json:"processes,omitempty"`

	// Users are user IDs, for example a break-glass administrator.
	Users []string `json:"users,omitempty"`
}

// DefaultProtection returns what is always protected: the namespace that
// Falco's Helm chart installs into, and Falco's and falcosidekick's images
// and processes.
func DefaultProtection() Protection {
	return Protection{
		Namespaces: []string{"falco"},
		Images: []string{
			"falcosecurity/falco",
			"falcosecurity/falco-no-driver",
			"falcosecurity/falcosidekick",
			"falcosecurity/falcosidekick-ui",
		},
		Processes: []string{"falco", "falcosidekick"},
	}
}

// merge returns p with q's entries added.
func (p Protection) merge(q Protection) Protection {
	return Protection{
		Workloads:  slices.Concat(p.Workloads, q.Workloads),
		Namespaces: slices.Concat(p.Namespaces, q.Namespaces),
		Images:     slices.Concat(p.Images, q.Images),
		Processes:  slices.Concat(p.Processes, q.Processes),
		Users:      slices.Concat(p.Users, q.Users),
	}
}

// protects returns a reason code when s is protected, or "".
func (p *Protection) protects(s *Subject) string {
	switch {
	case s.Workload != "" && slices.ContainsFunc(p.Workloads, func(w string) bool {
		return w == s.Workload || strings.HasSuffix(w, "/") && strings.HasPrefix(s.Workload, w)
	}):
		return "protected.workload"
	case s.User != "" && slices.Contains(p.Users, s.User):
		return "protected.user"
	case s.Kubernetes == nil:
		return ""
	}

	k := s.Kubernetes
	switch {
	case k.Namespace != "" && slices.Contains(p.Namespaces, k.Namespace):
		return "protected.namespace"
	case k.Image != "" && slices.ContainsFunc(p.Images, func(img string) bool {
		return imageIs(k.Image, img)
	}):
		return "protected.image"
	case k.Process != "" && slices.Contains(p.Processes, k.Process):
		return "protected.process"
	}

	return ""
}

// imageIs reports whether the repository image (with or without registry,
// tag or digest) is repo.
func imageIs(image, repo string) bool {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}

	return image == repo || strings.HasSuffix(image, "/"+repo)
}
