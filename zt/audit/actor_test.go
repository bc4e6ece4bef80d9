package audit_test

import (
	"testing"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
)

func TestActorOf(t *testing.T) {
	tests := map[string]struct {
		p    *zt.Principal
		want audit.Actor
	}{
		"nil":   {nil, audit.Actor{}},
		"empty": {&zt.Principal{}, audit.Actor{}},
		"every facet": {
			&zt.Principal{
				User:     &zt.User{ID: "alice", SessionID: "s1"},
				Device:   &zt.Device{ID: "d1", KeyThumbprint: "jkt"},
				Workload: &zt.Workload{ID: "spiffe://ztkit.test/app"},
			},
			audit.Actor{User: "alice", Session: "s1", Device: "d1", Workload: "spiffe://ztkit.test/app"},
		},
		"workload only": {
			&zt.Principal{Workload: &zt.Workload{ID: "spiffe://ztkit.test/app"}},
			audit.Actor{Workload: "spiffe://ztkit.test/app"},
		},
	}
	for name, tt := range tests {
		if got := audit.ActorOf(tt.p); got != tt.want {
			t.Errorf("%s: ActorOf = %+v, want %+v", name, got, tt.want)
		}
	}
}
