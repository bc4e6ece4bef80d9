package falco_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/detect/falco"
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

// Falco's http_output authenticates with a client certificate: the
// receiver, served over mTLS, lets in only Falco's SPIFFE ID.
func TestReceiverAuthorizesMTLSPeer(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	server := mtlstest.NewSource(t, ca, "/security/detect")
	falcoID := "spiffe://example.org/ns/falco/sa/falco"

	p := newPipeline(t, func(c *falco.ReceiverConfig) {
		c.Token = falco.Secret{}
		c.Authorize = func(r *http.Request) error {
			w, err := mtls.RequestWorkload(r)
			if err != nil {
				return err
			}
			if w.ID != falcoID {
				return errors.New("not falco")
			}
			return nil
		}
	})
	url := mtlstest.Serve(t, p.handler, server, mtls.AuthorizeAny()) + "/falco"

	serverID := spiffeid.RequireFromString("spiffe://example.org/security/detect")
	payload := loadCases(t)["F05"].Payload
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/ns/falco/sa/falco", http.StatusAccepted},
		{"/ns/default/sa/attacker", http.StatusUnauthorized},
	} {
		client := mtls.NewClient(mtlstest.NewSource(t, ca, tt.path), mtls.AuthorizeID(serverID))
		resp, err := client.Post(url, "application/json", bytes.NewReader(payload))
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		resp.Body.Close()
		client.CloseIdleConnections()

		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
	}

	if p.revoked.Len() != 1 {
		t.Errorf("revocations = %d, want the one from Falco's post", p.revoked.Len())
	}
}
