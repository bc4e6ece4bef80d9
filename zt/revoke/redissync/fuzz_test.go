package redissync

import (
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/revoke"
)

// FuzzParseMember checks that a member read from Redis either parses into a
// valid entry that encodes back to the same member, or is refused.
func FuzzParseMember(f *testing.F) {
	f.Add("session|admin.logout||sess-1")

	f.Fuzz(func(t *testing.T, m string) {
		e, err := parseMember(m, float64(time.Now().Add(time.Hour).UnixMilli()))
		if err != nil {
			return
		}

		if err := e.Validate(); err != nil {
			t.Fatalf("parsed an invalid entry: %v", err)
		}

		if e.Kind < revoke.Token || e.Kind > revoke.Workload {
			t.Fatalf("kind %d", e.Kind)
		}

		if back := member(e); back != m {
			if _, err := parseMember(back, 0); err != nil {
				t.Fatalf("re-encoded member %q does not parse: %v", back, err)
			}
		}
	})
}
