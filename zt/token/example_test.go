package token_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// An issuer publishes its keys as a JWKS; a service verifies the access tokens
// it issues against that JWKS.
func Example() {
	ctx := context.Background()

	issuer, err := token.NewIssuer(token.IssuerConfig{
		Issuer:   "https://auth.example.com",
		Audience: []string{"https://api.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}

	jwks := httptest.NewServer(issuer.JWKSHandler())
	defer jwks.Close()

	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer:   "https://auth.example.com",
		Audience: []string{"https://api.example.com"},
		JWKSURL:  jwks.URL,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer verifier.Close()

	raw, err := issuer.Issue(ctx, token.AccessToken{
		Subject:  "alice",
		ClientID: "web",
		Scopes:   []string{"transactions:read"},
	})
	if err != nil {
		log.Fatal(err)
	}

	p, err := verifier.Verify(ctx, raw)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(p.User.ID, p.User.Scopes, p.Token.Type)
	// Output: alice [transactions:read] at+jwt
}

// A refusal tells the program its kind, the caller an RFC 6750 code, and the
// operator a stable reason.
func ExampleVerifier_Verify_refusal() {
	ctx := context.Background()

	issuer, err := token.NewIssuer(token.IssuerConfig{
		Issuer: "https://auth.example.com", Audience: []string{"https://other.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}

	keys, err := issuer.PublicKeys()
	if err != nil {
		log.Fatal(err)
	}

	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer:   "https://auth.example.com",
		Audience: []string{"https://api.example.com"},
		Keys:     keys,
	})
	if err != nil {
		log.Fatal(err)
	}

	raw, err := issuer.Issue(ctx, token.AccessToken{Subject: "alice", ClientID: "web"})
	if err != nil {
		log.Fatal(err)
	}

	_, err = verifier.Verify(ctx, raw)
	fmt.Println(errors.Is(err, zt.ErrUnauthenticated), zt.CodeOf(err), zt.ReasonOf(err))
	fmt.Println(token.StatusCode(err), token.Challenge("api", err))
	// Output:
	// true invalid_token token.audience
	// 401 Bearer realm="api", error="invalid_token"
}

// Refresh tokens rotate on every use; presenting a used one again revokes the
// whole family, including the token the legitimate client holds.
func ExampleRefreshTokens() {
	ctx := context.Background()

	refresh, err := token.NewRefreshTokens(token.RefreshConfig{Store: &token.MemoryRefreshStore{}})
	if err != nil {
		log.Fatal(err)
	}

	first, err := refresh.Issue(ctx, token.RefreshGrant{Subject: "alice", ClientID: "web"})
	if err != nil {
		log.Fatal(err)
	}

	second, grant, err := refresh.Rotate(ctx, first)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rotated for", grant.Subject)

	_, _, err = refresh.Rotate(ctx, first)
	fmt.Println(zt.ReasonOf(err))

	_, _, err = refresh.Rotate(ctx, second)
	fmt.Println(zt.ReasonOf(err))
	// Output:
	// rotated for alice
	// refresh.reused
	// refresh.revoked
}
