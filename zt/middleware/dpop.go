package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// Reason codes of refusals about how a token was presented.
const (
	// ReasonDPoPRequired means a bearer token came where a DPoP proof is
	// needed: the token is DPoP-bound (cnf.jkt), or Config.RequireDPoP is set.
	ReasonDPoPRequired = token.ReasonDPoPRequired
	// ReasonDPoPUnbound means the DPoP scheme came with a token that is not
	// bound to a key.
	ReasonDPoPUnbound = token.ReasonDPoPUnbound
)

// dpop holds what the middleware needs to check DPoP proofs.
//
// TODO(dpop-nonce): no DPoP-Nonce is issued or required (RFC 9449 section
// 8), because token.DPoPVerifier does not check nonces yet; the iat window
// and the replay cache bound the reuse of a proof instead.
type dpop struct {
	verifier *token.DPoPVerifier
	algs     string   // space-separated, for the challenge
	origin   *url.URL // the external origin; nil rebuilds it from the request
}

// newDPoP builds the DPoP checker of cfg, or nil when DPoP is off.
func newDPoP(cfg Config) (*dpop, error) {
	if cfg.DPoP == nil {
		if cfg.RequireDPoP {
			return nil, errors.New("middleware: Config.RequireDPoP needs Config.DPoP")
		}
		return nil, nil
	}
	v, err := token.NewDPoPVerifier(*cfg.DPoP)
	if err != nil {
		return nil, fmt.Errorf("middleware: %w", err)
	}
	algs := cfg.DPoP.Algorithms
	if algs == nil {
		algs = token.DefaultDPoPAlgorithms
	}
	d := &dpop{verifier: v, algs: strings.Join(algs, " ")}

	if cfg.ExternalOrigin != "" {
		if d.origin, err = parseOrigin(cfg.ExternalOrigin); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// parseOrigin checks an external origin: an http or https URL with a host,
// and at most a path prefix.
func parseOrigin(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("middleware: Config.ExternalOrigin: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("middleware: Config.ExternalOrigin %q is not an http(s) origin", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// targetURI rebuilds the URI the client addressed, which a proof's "htu"
// names (RFC 9449 section 4.3, RFC 9110 section 7.1): the external origin
// when one is configured, otherwise "https" for a TLS connection or "http",
// and the Host header; then the request's path. Query and fragment are left
// out, and forwarded headers are never trusted.
func (d *dpop) targetURI(r *http.Request) *url.URL {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if o := d.origin; o != nil {
		u.Scheme, u.Host = o.Scheme, o.Host
		if o.Path != "" {
			u.Path = o.Path + u.Path
			if u.RawPath != "" {
				u.RawPath = o.EscapedPath() + u.RawPath
			}
		}
	}
	return u
}

// bind checks how a verified token was presented. A DPoP-bound token (one
// with cnf.jkt) must come with the DPoP scheme and a valid proof by its key;
// the DPoP scheme needs a bound token; a bearer token passes unless DPoP is
// required. The principal of a proven token carries the proof key's
// thumbprint as its device key.
func (m *Middleware) bind(ctx context.Context, r *http.Request, cred token.Credential,
	p *zt.Principal) (*zt.Principal, *refusal) {
	jkt := ""
	if p.Token != nil {
		jkt = p.Token.ConfirmationJKT
	}
	switch {
	case cred.Scheme == token.SchemeDPoP && jkt == "":
		return nil, dpopRefusal(invalidToken(ReasonDPoPUnbound, "DPoP scheme with an unbound token")).naming(p)
	case cred.Scheme != token.SchemeDPoP && jkt != "":
		return nil, dpopRefusal(invalidToken(ReasonDPoPRequired, "DPoP-bound token sent as bearer")).naming(p)
	case cred.Scheme != token.SchemeDPoP && m.cfg.RequireDPoP:
		return nil, dpopRefusal(invalidToken(ReasonDPoPRequired, "bearer token where DPoP is required")).naming(p)
	case cred.Scheme != token.SchemeDPoP:
		return p, nil
	}

	proof, err := m.dpop.verifier.Verify(ctx, cred.Proof, token.DPoPRequest{
		Method:      r.Method,
		URL:         m.dpop.targetURI(r),
		AccessToken: cred.Token,
		JKT:         jkt,
	})
	if err != nil {
		if errors.Is(err, zt.ErrUnavailable) {
			return nil, unavailable(zt.ReasonOf(err), err).naming(p)
		}
		return nil, dpopRefusal(asZtError(err)).naming(p)
	}

	// The verifier may share p with other requests: change a copy.
	cp, dev := *p, zt.Device{}
	if p.Device != nil {
		dev = *p.Device
	}
	dev.KeyThumbprint = proof.JKT
	cp.Device = &dev
	return &cp, nil
}

func invalidToken(reason, msg string) *zt.Error {
	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, reason,
		errors.New("middleware: "+msg))
}

// dpopRefusal answers 401 with the error on the DPoP challenge.
func dpopRefusal(e *zt.Error) *refusal {
	ref := unauthenticated(e)
	ref.dpop = true
	return ref
}
