package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ztkit/ztkit/zt"
)

// Authentication schemes of the Authorization header.
const (
	SchemeBearer = "Bearer"
	SchemeDPoP   = "DPoP"
)

// Reason codes of refusals at the HTTP layer.
const (
	ReasonBadAuthorization = "token.bad_authorization"
	ReasonDPoPRequired     = "dpop.required"
	ReasonDPoPUnbound      = "dpop.unbound_token"
)

// Credential is an access token as presented in an HTTP request.
type Credential struct {
	// Scheme is SchemeBearer or SchemeDPoP.
	Scheme string

	// Token is the access token.
	Token string

	// Proof is the DPoP header's proof; empty for a bearer token.
	Proof string
}

// FromRequest reads the access token from the Authorization header (RFC 6750
// section 2.1, RFC 9449 section 7.1) and the DPoP proof header. It refuses
// more than one Authorization or DPoP header, unknown schemes and tokens that
// are not token68. Tokens in query strings or form bodies are not accepted.
// A request without an Authorization header yields ReasonMissing with no
// error code, as RFC 6750 section 3.1 asks.
func FromRequest(r *http.Request) (Credential, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return Credential{}, zt.NewError(zt.ErrUnauthenticated, "", ReasonMissing, ErrMalformed)
	case 1:
	default:
		return Credential{}, badRequest("more than one Authorization header")
	}

	scheme, tok, ok := strings.Cut(values[0], " ")
	tok = strings.TrimLeft(tok, " ")

	switch {
	case !ok || !isToken68(tok):
		return Credential{}, badRequest("malformed Authorization header")
	case strings.EqualFold(scheme, SchemeBearer):
		scheme = SchemeBearer
	case strings.EqualFold(scheme, SchemeDPoP):
		scheme = SchemeDPoP
	default:
		return Credential{}, zt.NewError(zt.ErrUnauthenticated, "", ReasonMissing,
			fmt.Errorf("%w: scheme %q", ErrMalformed, scheme))
	}

	proofs := r.Header.Values("DPoP")
	if len(proofs) > 1 {
		return Credential{}, badRequest("more than one DPoP header")
	}

	c := Credential{Scheme: scheme, Token: tok}
	if len(proofs) == 1 {
		c.Proof = proofs[0]
	}

	return c, nil
}

func badRequest(msg string) *zt.Error {
	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidRequest, ReasonBadAuthorization,
		fmt.Errorf("%w: %s", ErrMalformed, msg))
}

// isToken68 reports whether s is an RFC 7235 token68.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}

	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~+/", c) >= 0) {
			return false
		}
	}

	return true
}

// AccessVerifier verifies an access token; *Verifier is one, and so is any
// wrapper that adds to it (a metric, a trace span).
type AccessVerifier interface {
	Verify(ctx context.Context, raw string) (*zt.Principal, error)
}

// Authenticator authenticates HTTP requests: it reads the access token,
// verifies it, and for a sender-constrained token (one with "cnf.jkt")
// verifies the DPoP proof that must come with it.
type Authenticator struct {
	// Verifier verifies access tokens. Required.
	Verifier AccessVerifier

	// DPoP verifies proofs. Nil refuses every DPoP-bound token, since it
	// could not be checked.
	DPoP *DPoPVerifier

	// RequireDPoP refuses bearer tokens. The zero value accepts them.
	RequireDPoP bool

	// RequestURL returns the URL the client addressed, which DPoP proofs
	// name. Nil means the scheme from r.TLS and the host from r.Host; set it
	// behind a proxy that rewrites them.
	RequestURL func(r *http.Request) *url.URL
}

// Authenticate returns the Principal that r proves. Every error is a
// *zt.Error; Challenge and StatusCode turn it into the response.
func (a *Authenticator) Authenticate(r *http.Request) (*zt.Principal, error) {
	cred, err := FromRequest(r)
	if err != nil {
		return nil, err
	}

	p, err := a.Verifier.Verify(r.Context(), cred.Token)
	if err != nil {
		return nil, err
	}

	jkt := ""
	if p.Token != nil {
		jkt = p.Token.ConfirmationJKT
	}

	switch {
	case jkt == "" && cred.Scheme == SchemeDPoP:
		return nil, dpopRefusal(ReasonDPoPUnbound, "DPoP scheme with an unbound token")
	case jkt == "" && a.RequireDPoP:
		return nil, invalidf(ReasonDPoPRequired, ErrDPoPRequired, "bearer token where DPoP is required")
	case jkt == "":
		return p, nil
	case cred.Scheme != SchemeDPoP || a.DPoP == nil:
		return nil, invalidf(ReasonDPoPRequired, ErrDPoPRequired, "DPoP-bound token without proof")
	}

	return a.checkProof(r, cred, p)
}

func (a *Authenticator) checkProof(
	r *http.Request, cred Credential, p *zt.Principal,
) (*zt.Principal, error) {
	proof, err := a.DPoP.Verify(r.Context(), cred.Proof, DPoPRequest{
		Method:      r.Method,
		URL:         a.requestURL(r),
		AccessToken: cred.Token,
		JKT:         p.Token.ConfirmationJKT,
	})
	if err != nil {
		return nil, err
	}

	if p.Device == nil {
		p.Device = &zt.Device{}
	}
	p.Device.KeyThumbprint = proof.JKT

	return p, nil
}

func (a *Authenticator) requestURL(r *http.Request) *url.URL {
	if a.RequestURL != nil {
		return a.RequestURL(r)
	}

	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	if r.TLS != nil {
		u.Scheme = "https"
	}

	return &u
}

// RequireScopes returns nil when p was granted every scope, and otherwise a
// *zt.Error of kind ErrForbidden with the RFC 6750 code insufficient_scope.
func RequireScopes(p *zt.Principal, scopes ...string) error {
	for _, s := range scopes {
		if p == nil || !p.User.HasScope(s) {
			return zt.NewError(zt.ErrForbidden, zt.CodeInsufficientScope, ReasonInsufficientScope,
				fmt.Errorf("token: scope %q not granted", s))
		}
	}

	return nil
}

// StatusCode returns the HTTP status for a refusal: 400 for invalid_request,
// 403 for insufficient_scope, 503 when a dependency was unavailable, and 401
// otherwise.
func StatusCode(err error) int {
	var ze *zt.Error
	if !errors.As(err, &ze) {
		return http.StatusUnauthorized
	}

	switch {
	case ze.Code == zt.CodeInvalidRequest:
		return http.StatusBadRequest
	case ze.Code == zt.CodeInsufficientScope || errors.Is(ze.Kind, zt.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(ze.Kind, zt.ErrUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusUnauthorized
	}
}

// Challenge returns the WWW-Authenticate header value for a refusal (RFC 6750
// section 3, RFC 9449 section 7.1): the scheme, the realm and the error code,
// with no description, since the reason is for the operator only. dpopAlgs,
// when not empty, adds a DPoP challenge with those algorithms.
func Challenge(realm string, err error, dpopAlgs ...string) string {
	code := zt.CodeOf(err)

	bearer := SchemeBearer + " " + param("realm", realm)
	if code != "" && code != CodeInvalidDPoPProof {
		bearer += ", " + param("error", code)
	}

	if len(dpopAlgs) == 0 {
		return bearer
	}

	dpop := SchemeDPoP + " " + param("algs", strings.Join(dpopAlgs, " "))
	if code != "" {
		dpop += ", " + param("error", code)
	}

	return bearer + ", " + dpop
}

func param(name, value string) string {
	value = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value)
	return name + `="` + value + `"`
}
