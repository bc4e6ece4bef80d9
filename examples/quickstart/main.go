// Command quickstart is ztkit's quick start, the program README.md shows: a service
// whose every request is authenticated with a JWT and decided by an embedded Rego
// policy. It runs a token issuer and the protected service on loopback, then calls
// the service as alice, once for her own profile (allowed) and once for bob's
// (denied).
package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
)

//go:embed policy
var policy embed.FS

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// An issuer with a fresh ES256 key publishes its JWKS on loopback.
	issuer, err := token.NewIssuer(token.IssuerConfig{
		Issuer:   "https://issuer.example",
		Audience: []string{"https://api.example"},
	})
	if err != nil {
		return err
	}

	jwksURL, err := serve(issuer.JWKSHandler())
	if err != nil {
		return err
	}

	// The service verifies tokens against that JWKS and asks the policy about
	// every request.
	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer:   "https://issuer.example",
		Audience: []string{"https://api.example"},
		JWKSURL:  jwksURL,
	})
	if err != nil {
		return err
	}

	engine, err := pep.New(ctx, pep.Config{Policies: policy})
	if err != nil {
		return err
	}

	protect, err := middleware.New(middleware.Config{
		Verifier: verifier,
		Engine:   engine,
		Routes: map[string]middleware.Route{
			"GET /v1/profiles/{id}": {Action: "profiles.read", Resource: "profile", IDParam: "id"},
		},
	})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/profiles/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, _ := zt.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "profile of %s, read by %s", r.PathValue("id"), p.Subject())
	})

	api, err := serve(protect.Handler(mux))
	if err != nil {
		return err
	}

	// alice signs in and reads her own profile, then bob's.
	alice, err := issuer.Issue(ctx, token.AccessToken{Subject: "alice", ClientID: "cli"})
	if err != nil {
		return err
	}

	for _, who := range []string{"alice", "bob"} {
		status, body, err := get(ctx, api+"/v1/profiles/"+who, alice)
		if err != nil {
			return err
		}

		fmt.Fprintf(out, "GET /v1/profiles/%s: %d %s\n", who, status, body)
	}

	return nil
}

// serve serves h on a loopback port for the life of the process and returns its URL.
func serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}

	go http.Serve(ln, h) //nolint:errcheck // serves until the process exits

	return "http://" + ln.Addr().String(), nil
}

// get sends a GET with a bearer token and returns the status and the body.
func get(ctx context.Context, url, bearer string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}

	req.Header.Set("Authorization", "Bearer "+bearer)

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)

	return resp.StatusCode, string(body), err
}
