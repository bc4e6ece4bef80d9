package mtls_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
	"github.com/ztkit/ztkit/zt/pep"
)

const workloadPolicy = `package ztkit.authz

decision := {"allow": allow, "reasons": reasons}

default allow := false

allow if {
	input.action == "workload.connect"
	input.workload.trust_domain == "example.org"
	startswith(input.workload.id, "spiffe://example.org/web/")
}

reasons := {"workload.allowed"} if allow

else := {"workload.denied"}
`

// TestAuthorizePolicyWithEngine authorizes mTLS peers with a real policy
// engine: the peer's SPIFFE ID reaches the policy as input.workload.
func TestAuthorizePolicyWithEngine(t *testing.T) {
	ctx := context.Background()
	engine, err := pep.New(ctx, pep.Config{Policies: fstest.MapFS{
		"authz.rego": {Data: []byte(workloadPolicy)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()

	decide := func(ctx context.Context, p *zt.Principal, req *zt.Request) (zt.Decision, error) {
		return engine.Decide(ctx, &pep.Input{Principal: p, Request: *req})
	}
	authz := mtls.AuthorizePolicy(decide, "workload.connect", 0)

	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")

	tests := []struct {
		path string
		want error
	}{
		{"/web/checkout", nil},
		{"/batch", mtls.ErrNotAuthorized},
		{"/webhook", mtls.ErrNotAuthorized},
	}

	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			client := mtlstest.NewSource(t, ca, tc.path)
			srvErr, _ := handshake(t, mtls.ServerConfig(server, authz),
				mtls.ClientConfig(client, mtls.AuthorizeID(serverID)))

			if !errors.Is(srvErr, tc.want) || (tc.want != nil && !errors.Is(srvErr, zt.ErrForbidden)) {
				t.Fatalf("server: %v, want %v", srvErr, tc.want)
			}
		})
	}

}
