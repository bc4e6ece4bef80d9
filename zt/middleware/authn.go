package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/token"
)

// PeerSPIFFEID is the default PeerIdentityFunc: it reads the SPIFFE ID of
// the leaf certificate the mTLS peer presented with mtls.RequestWorkload,
// which applies the X.509-SVID checks strictly (not a CA, no certificate or
// CRL signing, digitalSignature key usage, exactly one URI SAN read as
// encoded). It returns nil when the request came without a client
// certificate, and an error when the certificate is not a valid X.509-SVID.
func PeerSPIFFEID(r *http.Request) (*zt.Workload, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	wl, err := mtls.RequestWorkload(r)
	if err != nil {
		return nil, fmt.Errorf("middleware: peer certificate: %w", err)
	}
	return wl, nil
}

// authenticate establishes who calls: the mTLS peer's workload, and the user
// behind a bearer token or a session cookie. A request with none of them is
// refused, and so is a revoked principal.
func (m *Middleware) authenticate(ctx context.Context, r *http.Request) (*zt.Principal, *refusal) {
	wl, err := m.cfg.PeerIdentity(r)
	if err != nil {
		return nil, unauthenticated(zt.NewError(zt.ErrUnauthenticated, "", ReasonInvalidPeer, err))
	}

	p, ref := m.credential(ctx, r)
	if ref != nil {
		return nil, ref
	}
	wp, ref := withWorkload(p, wl)
	if ref != nil {
		return nil, ref.naming(p)
	}
	p = wp
	if p == nil {
		return nil, unauthenticated(zt.NewError(zt.ErrUnauthenticated, "", zt.ReasonUnauthenticated, nil))
	}

	if m.cfg.Revocation != nil {
		if err := m.cfg.Revocation.CheckRevoked(ctx, p); err != nil {
			if errors.Is(err, zt.ErrRevoked) {
				ze := zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, zt.ReasonRevoked, err)
				return nil, unauthenticated(ze).naming(p)
			}
			return nil, unavailable(ReasonRevocationUnknown, err).naming(p)
		}
	}
	return p, nil
}

// credential verifies the access token of the Authorization header (bearer
// or DPoP), or else the session cookie. It returns a nil principal when the
// request carries neither.
func (m *Middleware) credential(ctx context.Context, r *http.Request) (*zt.Principal, *refusal) {
	cred, present, err := authorization(r, m.dpop != nil)
	if err != nil {
		return nil, unauthenticated(asZtError(err))
	}
	if !present {
		return m.session(ctx, r)
	}

	p, err := m.cfg.Verifier.Verify(ctx, cred.Token)
	if err != nil || p == nil {
		ref := unauthenticated(asZtError(err))
		ref.dpop = cred.Scheme == token.SchemeDPoP
		return nil, ref
	}
	return m.bind(ctx, r, cred, p)
}

// session verifies the session cookie, if sessions are on and there is one.
func (m *Middleware) session(ctx context.Context, r *http.Request) (*zt.Principal, *refusal) {
	if m.cfg.Session == nil {
		return nil, nil
	}
	c, err := r.Cookie(m.cfg.SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	p, err := m.cfg.Session.Verify(ctx, c.Value)
	if err != nil || p == nil {
		return nil, unauthenticated(asZtError(err))
	}
	return p, nil
}

// authorization reads the access token of the Authorization header with
// token.FromRequest, and reports whether there was one. A malformed header,
// several of them, or a token also sent in the query is an invalid request
// (RFC 6750 section 2). Another scheme is not ours to judge, and neither is
// DPoP when withDPoP is false.
func authorization(r *http.Request, withDPoP bool) (token.Credential, bool, error) {
	cred, err := token.FromRequest(r)
	switch {
	case err != nil && zt.ReasonOf(err) == token.ReasonMissing:
		return token.Credential{}, false, nil
	case err != nil:
		return token.Credential{}, false, err
	case cred.Scheme == token.SchemeDPoP && !withDPoP:
		return token.Credential{}, false, nil
	case r.URL.RawQuery != "" && r.URL.Query().Has("access_token"):
		return token.Credential{}, false, zt.NewError(zt.ErrInvalidRequest,
			zt.CodeInvalidRequest, zt.ReasonInvalidToken,
			errors.New("middleware: token sent in both header and query"))
	}
	return cred, true, nil
}

// withWorkload adds the mTLS peer's workload to p, or makes a workload-only
// principal. A token that names another workload than the peer is refused.
func withWorkload(p *zt.Principal, wl *zt.Workload) (*zt.Principal, *refusal) {
	if wl == nil {
		return p, nil
	}
	if p == nil {
		return &zt.Principal{Workload: wl}, nil
	}
	if p.Workload != nil && p.Workload.ID != wl.ID {
		err := fmt.Errorf("token workload %s is not the peer %s", p.Workload.ID, wl.ID)
		ze := zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, ReasonInvalidPeer, err)
		return nil, unauthenticated(ze)
	}
	cp := *p
	cp.Workload = wl
	return &cp, nil
}

// asZtError keeps a *zt.Error and wraps anything else as an invalid token.
func asZtError(err error) *zt.Error {
	var ze *zt.Error
	if errors.As(err, &ze) {
		return ze
	}
	if err == nil {
		err = errors.New("verifier returned no principal")
	}
	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken, zt.ReasonInvalidToken, err)
}
