package mtls_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
)

// Two services talk over mutual TLS with SVIDs from a dev CA: the backend
// accepts callers under /web, the caller accepts only the backend, and the
// backend's handler reads the caller's SPIFFE ID.
func Example() {
	td := spiffeid.RequireTrustDomainFromString("example.org")
	backendID := spiffeid.RequireFromPath(td, "/backend")

	ca, err := devca.New(devca.Config{TrustDomain: td})
	if err != nil {
		log.Fatal(err)
	}
	backend, err := ca.Source(backendID)
	if err != nil {
		log.Fatal(err)
	}
	web, err := ca.Source(spiffeid.RequireFromPath(td, "/web/checkout"))
	if err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		TLSConfig: mtls.ServerConfig(backend, mtls.AuthorizePathPrefix(td, "/web")),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, err := mtls.RequestWorkload(r)
			if err != nil {
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			fmt.Fprintf(w, "hello %s", caller.ID)
		}),
	}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
			log.Print(err)
		}
	}()
	defer srv.Close()

	client := mtls.NewClient(web, mtls.AuthorizeID(backendID))
	defer client.CloseIdleConnections()

	resp, err := client.Get("https://" + ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(body))
	// Output: hello spiffe://example.org/web/checkout
}
