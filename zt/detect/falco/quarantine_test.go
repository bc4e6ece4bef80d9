package falco_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

// A Falco alert about a pod quarantines its workload: the workload's live
// mTLS connection is refused on its next request, and it cannot connect
// again.
func TestAlertQuarantinesWorkloadOverMTLS(t *testing.T) {
	p := newPipeline(t, nil)

	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/financeapp/backend")
	alpine := mtlstest.NewSource(t, ca, "/ns/default/workload/alpine")

	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	})
	url := mtlstest.Serve(t, mtls.Quarantine(p.revoked)(hello), backend,
		mtls.AuthorizeAny(), mtls.WithQuarantine(p.revoked))

	backendID := spiffeid.RequireFromString("spiffe://example.org/financeapp/backend")
	client := mtls.NewClient(alpine, mtls.AuthorizeID(backendID))
	t.Cleanup(client.CloseIdleConnections)

	if status := get(t, client, url); status != http.StatusOK {
		t.Fatalf("before the alert: status %d", status)
	}

	status, body, _ := do(t, "POST", p.url, loadCases(t)["F05"].Payload, nil)
	if status != http.StatusAccepted {
		t.Fatalf("alert: %d %s", status, body)
	}

	if status := get(t, client, url); status != http.StatusUnauthorized {
		t.Errorf("live connection after the alert: status %d, want 401", status)
	}

	fresh := mtls.NewClient(alpine, mtls.AuthorizeID(backendID))
	t.Cleanup(fresh.CloseIdleConnections)
	resp, err := fresh.Get(url)
	if err == nil {
		resp.Body.Close()
		t.Errorf("new connection after the alert: status %d, want a refused handshake",
			resp.StatusCode)
	}
}

func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()

	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()

	_, _ = io.Copy(io.Discard, resp.Body)

	return resp.StatusCode
}
