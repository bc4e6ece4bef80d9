package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/zt"
)

// PeerSPIFFEID is the default PeerIdentityFunc: it reads the SPIFFE ID of
// the leaf certificate the mTLS peer presented. It returns nil when the
// request came without a client certificate, and an error when the
// certificate has no valid SPIFFE ID.
func PeerSPIFFEID(r *http.Request) (*zt.Workload, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	id, err := x509svid.IDFromCert(r.TLS.PeerCertificates[0])
	if err != nil {
		return nil, fmt.Errorf("middleware: peer certificate: %w", err)
	}
	return &zt.Workload{ID: id.String(), TrustDomain: id.TrustDomain().Name()}, nil
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
	if p, ref = withWorkload(p, wl); ref != nil {
		return nil, ref
	}
	if p == nil {
		return nil, unauthenticated(zt.NewError(zt.ErrUnauthenticated, "", zt.ReasonUnauthenticated, nil))
	}

	if m.cfg.Revocation != nil {
		if err := m.cfg.Revocation.CheckRevoked(ctx, p); err != nil {
			if errors.Is(err, zt.ErrRevoked) {
				ze := zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, zt.ReasonRevoked, err)
				return nil, unauthenticated(ze)
			}
			return nil, unavailable(ReasonRevocationUnknown, err)
		}
	}
	return p, nil
}

// credential verifies the bearer token, or else the session cookie. It
// returns a nil principal when the request carries neither.
func (m *Middleware) credential(ctx context.Context, r *http.Request) (*zt.Principal, *refusal) {
	raw, present, err := bearer(r)
	if err != nil {
		ze := zt.NewError(zt.ErrInvalidRequest, zt.CodeInvalidRequest, zt.ReasonInvalidToken, err)
		return nil, unauthenticated(ze)
	}
	v := m.cfg.Verifier
	if !present && m.cfg.Session != nil {
		c, cerr := r.Cookie(m.cfg.SessionCookie)
		if cerr == nil && c.Value != "" {
			raw, present, v = c.Value, true, m.cfg.Session
		}
	}
	if !present {
		return nil, nil
	}

	p, err := v.Verify(ctx, raw)
	if err != nil || p == nil {
		return nil, unauthenticated(asZtError(err))
	}
	return p, nil
}

// bearer returns the token of an "Authorization: Bearer" header, and whether
// there was one. A malformed header, several of them, or a token also sent
// another way is an invalid request (RFC 6750, section 2).
//
// TODO(dpop): accept "Authorization: DPoP" with its proof header; Verifier
// sees only the token, so sender-constrained tokens need a wider seam.
func bearer(r *http.Request) (string, bool, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", false, nil
	}
	if len(values) > 1 {
		return "", false, errors.New("several Authorization headers")
	}
	scheme, tok, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		if !strings.EqualFold(scheme, "Bearer") {
			return "", false, nil // another scheme: not ours to judge
		}
		return "", false, errors.New("malformed Authorization header")
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" || strings.ContainsAny(tok, " \t") {
		return "", false, errors.New("malformed bearer token")
	}
	if r.URL.Query().Has("access_token") {
		return "", false, errors.New("token sent in both header and query")
	}
	return tok, true, nil
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
