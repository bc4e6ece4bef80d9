package mtls_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

// whoami answers with the caller's SPIFFE ID and whether the TLS session
// was resumed.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	wl, err := mtls.RequestWorkload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}

	fmt.Fprintf(w, "%s resumed=%t", wl.ID, r.TLS.DidResume)
})

func get(t *testing.T, c *http.Client, url string) (string, error) {
	t.Helper()

	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("status %d", resp.StatusCode)
	}

	return string(body), nil
}

func TestServicesTalkOverMTLSWithDevCA(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")

	url := mtlstest.Serve(t, whoami, backend, mtls.AuthorizePathPrefix(td, "/web"))
	client := mtls.NewClient(web, mtls.AuthorizeID(serverID))
	defer client.CloseIdleConnections()

	body, err := get(t, client, url)
	if err != nil {
		t.Fatal(err)
	}
	if want := webID.String() + " resumed=false"; body != want {
		t.Fatalf("body %q, want %q", body, want)
	}
}

// counting wraps an authorizer and counts its calls.
func counting(n *atomic.Int64, a mtls.Authorizer) mtls.Authorizer {
	return func(id spiffeid.ID, chains [][]*x509.Certificate) error {
		n.Add(1)
		return a(id, chains)
	}
}

// switchable is a quarantine list with one entry that a test can turn on.
type switchable struct {
	on atomic.Bool
	id string
}

func (s *switchable) CheckRevoked(_ context.Context, p *zt.Principal) error {
	if s.on.Load() && p.Workload != nil && p.Workload.ID == s.id {
		return zt.NewError(zt.ErrRevoked, "", zt.ReasonRevoked, errors.New("quarantined"))
	}
	return nil
}

// TestResumedSessionsAreAuthorized checks that a resumed TLS session runs
// the authorizer and the quarantine check again, on both sides, and that a
// workload quarantined after its first handshake cannot resume.
func TestResumedSessionsAreAuthorized(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")
	quarantine := &switchable{id: webID.String()}

	var serverChecks, clientChecks, resumed atomic.Int64
	cfg := mtls.ServerConfig(backend, counting(&serverChecks, mtls.AuthorizeID(webID)),
		mtls.WithQuarantine(quarantine))
	url := mtlstest.ServeConfig(t, whoami, cfg)

	tr := mtls.NewTransport(web, counting(&clientChecks, mtls.AuthorizeID(serverID)))
	tr.DisableKeepAlives = true // every request is a new connection
	client := &http.Client{Transport: tr}

	for i := range 3 {
		body, err := get(t, client, url)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if body == webID.String()+" resumed=true" {
			resumed.Add(1)
		}
	}

	if resumed.Load() != 2 {
		t.Fatalf("%d of 3 connections resumed, want 2", resumed.Load())
	}
	if serverChecks.Load() != 3 || clientChecks.Load() != 3 {
		t.Fatalf("authorizer ran %d times on the server and %d on the client, want 3 and 3",
			serverChecks.Load(), clientChecks.Load())
	}

	quarantine.on.Store(true)
	if _, err := get(t, client, url); err == nil {
		t.Fatal("quarantined workload resumed its session")
	}
	if serverChecks.Load() != 4 {
		t.Fatalf("the refused handshake did not reach the authorizer")
	}
}

// TestQuarantineRefusesLiveConnection checks that a workload quarantined
// while its connection is open is refused on its next request, and that the
// connection is closed.
func TestQuarantineRefusesLiveConnection(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")
	quarantine := &switchable{id: webID.String()}

	var handshakes atomic.Int64
	h := mtls.Quarantine(quarantine)(whoami)
	url := mtlstest.Serve(t, h, backend, counting(&handshakes, mtls.AuthorizeID(webID)),
		mtls.WithQuarantine(quarantine))

	client := mtls.NewClient(web, mtls.AuthorizeID(serverID))
	defer client.CloseIdleConnections()

	if _, err := get(t, client, url); err != nil {
		t.Fatal(err)
	}

	quarantine.on.Store(true)

	body, err := get(t, client, url)
	if err == nil || err.Error() != "status 401" {
		t.Fatalf("quarantined request: %v (%q), want status 401", err, body)
	}
	if handshakes.Load() != 1 {
		t.Fatalf("%d handshakes, want the refusal on the live connection", handshakes.Load())
	}
	if _, err := get(t, client, url); err == nil {
		t.Fatal("quarantined workload opened a new connection")
	}
}

func TestQuarantineFailsClosedWhenStateUnknown(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")

	var down atomic.Bool
	rc := zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error {
		if down.Load() {
			return errors.New("revocation store down")
		}
		return nil
	})

	url := mtlstest.Serve(t, mtls.Quarantine(rc)(whoami), backend, mtls.AuthorizeAny())
	client := mtls.NewClient(web, mtls.AuthorizeID(serverID))
	defer client.CloseIdleConnections()

	down.Store(true)
	if _, err := get(t, client, url); err == nil || err.Error() != "status 503" {
		t.Fatalf("request with unknown quarantine state: %v, want status 503", err)
	}
}

func TestRequestWorkloadWithoutTLS(t *testing.T) {
	r, err := http.NewRequest(http.MethodGet, "http://example.org/", nil)
	if err != nil {
		t.Fatal(err)
	}

	_, err = mtls.RequestWorkload(r)
	if !errors.Is(err, mtls.ErrNoPeerCertificate) || !errors.Is(err, zt.ErrUnauthenticated) {
		t.Fatalf("got %v, want ErrNoPeerCertificate and zt.ErrUnauthenticated", err)
	}

	r.TLS = &tls.ConnectionState{}
	_, err = mtls.CheckRequest(context.Background(), r, nil)
	if !errors.Is(err, mtls.ErrNoPeerCertificate) {
		t.Fatalf("got %v, want ErrNoPeerCertificate", err)
	}
}

// TestRotationUnderLoad rotates both sides' SVIDs several times while
// clients send requests on kept-alive, resumed and full-handshake
// connections, and requires that no request fails.
func TestRotationUnderLoad(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org", func(c *devca.Config) {
		c.SVIDTTL = 2 * time.Second // rotated every second
	})
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")

	var serials sync.Map
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serials.Store(r.TLS.PeerCertificates[0].SerialNumber.String(), true)
		whoami(w, r)
	})
	url := mtlstest.Serve(t, h, backend, mtls.AuthorizeID(webID))

	clients := []*http.Client{
		mtls.NewClient(web, mtls.AuthorizeID(serverID)),
		newClient(web, true),
		newClient(web, true, mtls.WithSessionCache(nil)),
	}

	var requests, failures atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})

	for _, c := range clients {
		wg.Go(func() {
			defer c.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				requests.Add(1)
				if _, err := get(t, c, url); err != nil {
					failures.Add(1)
					t.Errorf("request failed during rotation: %v", err)
				}
			}
		})
	}

	deadline := time.Now().Add(60 * time.Second)
	for (backend.Issued() < 4 || web.Issued() < 4) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	if backend.Issued() < 4 || web.Issued() < 4 {
		t.Fatalf("issued %d and %d SVIDs in 60 s, want rotations", backend.Issued(), web.Issued())
	}

	n := 0
	serials.Range(func(any, any) bool { n++; return true })
	t.Logf("%d requests, %d failed, %d client SVIDs seen, %d and %d issued",
		requests.Load(), failures.Load(), n, web.Issued(), backend.Issued())

	if failures.Load() != 0 {
		t.Fatalf("%d of %d requests failed", failures.Load(), requests.Load())
	}
	if n < 2 {
		t.Fatalf("the server saw %d client SVIDs, want rotation to show", n)
	}
}

func newClient(src mtls.Source, fresh bool, opts ...mtls.Option) *http.Client {
	tr := mtls.NewTransport(src, mtls.AuthorizeID(serverID), opts...)
	tr.DisableKeepAlives = fresh

	return &http.Client{Transport: tr}
}
