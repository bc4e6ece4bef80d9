package falco

import (
	"strconv"

	"github.com/ztkit/ztkit/zt/detect"
)

// Severity returns the alert severity of a Falco priority: Emergency, Alert
// and Critical are critical, Error is high, Warning medium, Notice low, and
// Informational and Debug info.
func (p Priority) Severity() detect.Severity {
	switch {
	case p >= PriorityCritical:
		return detect.SeverityCritical
	case p == PriorityError:
		return detect.SeverityHigh
	case p == PriorityWarning:
		return detect.SeverityMedium
	case p == PriorityNotice:
		return detect.SeverityLow
	}

	return detect.SeverityInfo
}

// keptFields are the output fields copied into an alert's attributes: they
// say what happened without carrying command lines or environment values,
// which can hold secrets.
var keptFields = []string{
	"evt.type", "proc.name", "proc.exepath", "proc.pname", "fd.name",
	"user.name", "container.name", "container.image.tag", "ka.user.name",
	"ka.verb", "ka.target.resource",
}

// Detection returns a as a detect.Alert, with the workload's SPIFFE ID from
// m (m may be nil: the alert is then about an unmapped workload, which no
// response can quarantine). Its ID is the same for every delivery of one
// event (by Falco's http_output, by falcosidekick, or retried), so that a
// Responder acts on it once.
func (a *Alert) Detection(m Mapper) detect.Alert {
	k := a.Kubernetes()
	d := detect.Alert{
		ID:       a.fingerprint(k),
		Time:     a.Time,
		Source:   detect.SourceFalco,
		Rule:     a.Rule,
		Severity: a.Priority.Severity(),
		Reasons:  []string{"falco.rule"},
		Tags:     a.Tags,
		Subject:  detect.Subject{Kubernetes: k},
		Attributes: map[string]string{
			"priority":     a.Priority.String(),
			"falco_source": a.Source,
		},
	}
	if m != nil && k != nil {
		if id, ok := m(k); ok {
			d.Subject.Workload = id
		} else {
			d.Reasons = append(d.Reasons, "falco.unmapped_workload")
		}
	}

	a.attributes(d.Attributes)

	return d
}

func (a *Alert) attributes(attrs map[string]string) {
	if a.Hostname != "" {
		attrs["hostname"] = a.Hostname
	}
	if a.UUID != "" {
		attrs["uuid"] = a.UUID
	}

	for _, key := range keptFields {
		if v, ok := a.Fields.String(key); ok {
			attrs[key] = truncate(v, 256)
		}
	}
}

// fingerprint identifies the event: rule, time and where it happened. The
// hostname and uuid are left out because falcosidekick adds or changes them.
func (a *Alert) fingerprint(k *detect.Kubernetes) string {
	var where detect.Kubernetes
	if k != nil {
		where = *k
	}

	return detect.Fingerprint("falco", a.Rule, strconv.FormatInt(a.Time.UnixNano(), 10),
		where.ContainerID, where.Namespace, where.Pod)
}
