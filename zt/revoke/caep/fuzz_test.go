package caep

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

// FuzzPlan feeds arbitrary claim sets (as a verifier would return them) to
// the SET parser and event mapping: they must be refused with an *Error or
// mapped to valid revocations, never panic.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(`{"jti":"1","iss":"i","iat":1700000000,"events":{"` + EventSessionRevoked +
		`":{"subject":{"format":"opaque","id":"s"}}}}`))

	rx, err := NewReceiver(Config{Verifier: nopVerifier{}, Revoker: ListRevoker(revoke.NewList(revoke.Config{}))})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		var claims map[string]any
		if json.Unmarshal(data, &claims) != nil {
			return
		}

		set, err := parseSET(claims)
		if err != nil {
			return
		}

		plan, err := rx.plan(set, time.Now())
		if err != nil {
			return
		}

		for _, a := range plan {
			for _, e := range a.revoke {
				if err := e.Validate(); err != nil {
					t.Fatalf("planned an invalid entry %+v: %v", e, err)
				}
			}
		}
	})
}

type nopVerifier struct{}

func (nopVerifier) Verify(context.Context, string) (*zt.Principal, error) { return nil, nil }
