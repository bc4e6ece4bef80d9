package falco_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
	"github.com/ztkit/ztkit/zt/revoke"
)

// A Falco alert about a shell in a pod is mapped to the pod's workload,
// which the default rule table quarantines.
func Example() {
	body := []byte(`{
		"output": "12:00:00.000000001: Notice A shell was spawned in a container",
		"priority": "Notice",
		"rule": "Terminal shell in container",
		"time": "2026-12-03T12:00:00.000000001Z",
		"source": "syscall",
		"output_fields": {
			"evt.time": 1796299200000000001,
			"k8s.ns.name": "finance",
			"k8s.pod.name": "backend-7c5d8f9b6-q2rst",
			"container.id": "3b9e1c7a5d20",
			"proc.name": "bash"
		}
	}`)

	alert, err := falco.Decode(body)
	if err != nil {
		log.Fatal(err)
	}

	toWorkload, err := falco.Template("example.org", "/ns/{ns}/workload/{workload}", nil)
	if err != nil {
		log.Fatal(err)
	}

	revoked := revoke.NewList(revoke.Config{})
	responder, err := detect.NewResponder(detect.ResponderConfig{Revocations: revoked})
	if err != nil {
		log.Fatal(err)
	}

	d, err := responder.Handle(context.Background(), alert.Detection(toWorkload))
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(d.Subject.Workload)
	for _, o := range d.Outcomes {
		if o.Taken {
			fmt.Println(o.Action, "taken")
		} else {
			fmt.Println(o.Action, "skipped:", o.Skipped)
		}
	}
	_, quarantined := revoked.Revoked(revoke.Workload, d.Subject.Workload)
	fmt.Println("quarantined:", quarantined)
	// Output:
	// spiffe://example.org/ns/finance/workload/backend
	// quarantine taken
	// raise_risk skipped: unconfigured
	// quarantined: true
}
