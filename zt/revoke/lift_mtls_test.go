package revoke_test

import (
	"net/http"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
	"github.com/ztkit/ztkit/zt/revoke"
)

// TestLiftedWorkloadAcceptedAgain runs a real mTLS server quarantining through
// a List: a revoked workload is refused on its live connection and at the
// handshake, and accepted again on its next request once lifted.
func TestLiftedWorkloadAcceptedAgain(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/backend")
	client := mtlstest.NewSource(t, ca, "/billing")
	billing := spiffeid.RequireFromString("spiffe://example.org/billing").String()
	serverID := spiffeid.RequireFromString("spiffe://example.org/backend")

	list := revoke.NewList(revoke.Config{})
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	url := mtlstest.Serve(t, mtls.Quarantine(list)(ok), server,
		mtls.AuthorizeMemberOf(serverID.TrustDomain()), mtls.WithQuarantine(list))

	live := &http.Client{Transport: &http.Transport{
		TLSClientConfig: mtls.ClientConfig(client, mtls.AuthorizeID(serverID)),
	}}
	fresh := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   mtls.ClientConfig(client, mtls.AuthorizeID(serverID)),
		DisableKeepAlives: true,
	}}
	t.Cleanup(live.CloseIdleConnections)

	accepted := func(c *http.Client) bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}

		_ = resp.Body.Close()

		return resp.StatusCode == http.StatusOK
	}

	if !accepted(live) {
		t.Fatal("workload refused before any revocation")
	}

	err := list.Revoke(revoke.Entry{Kind: revoke.Workload, Value: billing, Reason: "quarantine"})
	if err != nil {
		t.Fatal(err)
	}

	if accepted(live) || accepted(fresh) {
		t.Fatal("quarantined workload accepted")
	}

	if lifted, err := list.Lift(revoke.Workload, billing); err != nil || !lifted {
		t.Fatalf("Lift = %v, %v", lifted, err)
	}

	if !accepted(live) {
		t.Fatal("lifted workload refused on its live connection")
	}

	if !accepted(fresh) {
		t.Fatal("lifted workload refused at a new handshake")
	}
}
