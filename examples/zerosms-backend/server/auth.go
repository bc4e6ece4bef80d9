package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// The device's credentials reach the ztkit middleware through a seam: the
// middleware reads only "Authorization: Bearer" and verifies the token alone,
// without the request (TODO(dpop) in zt/middleware), so it cannot check a
// DPoP proof. deviceAuth runs first, does the whole DPoP check with
// token.Authenticator, loads the device, and hands the outcome to the
// middleware's verifier keyed by the exact credential; the middleware then
// applies revocation, policy and audit as for any other caller.
//
// TODO(dpop): drop this seam once zt/middleware accepts DPoP itself.

type authKey struct{}

// deviceResult is the outcome of a device's authentication.
type deviceResult struct {
	raw string
	p   *zt.Principal
	err error
}

// verifier is the middleware's Verifier: the device outcome for the
// credential deviceAuth handled, and the platform's token verifier for
// anything else (users).
type verifier struct {
	users interface {
		Verify(ctx context.Context, raw string) (*zt.Principal, error)
	}
}

// Verify returns who presented raw.
func (v verifier) Verify(ctx context.Context, raw string) (*zt.Principal, error) {
	if r, ok := ctx.Value(authKey{}).(*deviceResult); ok &&
		subtle.ConstantTimeCompare([]byte(r.raw), []byte(raw)) == 1 {
		return r.p, r.err
	}

	return v.users.Verify(ctx, raw)
}

// deviceAuth authenticates a device request: "Authorization: DPoP" with its
// proof, or at the token endpoint a proof alone.
func (s *Server) deviceAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()

		var res *deviceResult

		switch {
		case c.Path() == pathDeviceToken && r.Method == http.MethodPost:
			res = s.proofOnly(r, c.Param("id"))
		case hasScheme(r, token.SchemeDPoP):
			res = s.dpopToken(r)
		default:
			return next(c)
		}

		r = r.WithContext(context.WithValue(r.Context(), authKey{}, res))
		r.Header.Set("Authorization", token.SchemeBearer+" "+res.raw)
		r.Header.Del("DPoP")
		c.SetRequest(r)

		return next(c)
	}
}

func hasScheme(r *http.Request, scheme string) bool {
	v := r.Header.Get("Authorization")
	return len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)+1], scheme+" ")
}

// dpopToken verifies a device token and its proof, then loads the device.
func (s *Server) dpopToken(r *http.Request) *deviceResult {
	cred, err := token.FromRequest(r)
	if err != nil || !isToken68(cred.Token) {
		return &deviceResult{raw: "invalid", err: badCredential(err)}
	}

	res := &deviceResult{raw: cred.Token}

	p, err := s.authn.Authenticate(r)
	if err != nil {
		res.err = err
		return res
	}

	if p.Token == nil || p.Token.ClientID != ClientID || p.Device == nil || p.Device.ID == "" {
		res.err = zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"zerosms.not_device_token", errors.New("server: not a device token"))
		return res
	}

	res.p, res.err = s.withDevice(r.Context(), p, p.Device.ID, p.Device.KeyThumbprint)

	return res
}

// proofOnly authenticates the token endpoint: a DPoP proof for this request,
// signed by the key enrolled for device id.
func (s *Server) proofOnly(r *http.Request, id string) *deviceResult {
	proof := r.Header.Get("DPoP")
	if !isToken68(proof) || len(r.Header.Values("DPoP")) != 1 {
		return &deviceResult{raw: "invalid", err: badCredential(nil)}
	}

	res := &deviceResult{raw: proof}

	got, err := s.dpop.Verify(r.Context(), proof, token.DPoPRequest{Method: r.Method,
		URL: s.requestURL(r)})
	if err != nil {
		res.err = err
		return res
	}

	p := &zt.Principal{Device: &zt.Device{ID: id, KeyThumbprint: got.JKT}}
	res.p, res.err = s.withDevice(r.Context(), p, id, got.JKT)

	return res
}

// withDevice completes p with the enrolled device: its owner, its posture,
// and the check that the proof's key is the enrolled one and that the device
// is not revoked.
func (s *Server) withDevice(ctx context.Context, p *zt.Principal, id, jkt string) (*zt.Principal, error) {
	d, err := s.cfg.Store.Device(ctx, id)

	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"zerosms.unknown_device", err)
	case err != nil:
		return nil, zt.NewError(zt.ErrUnavailable, "", "zerosms.store", err)
	case subtle.ConstantTimeCompare([]byte(d.JKT), []byte(jkt)) != 1:
		return nil, zt.NewError(zt.ErrUnauthenticated, token.CodeInvalidDPoPProof,
			token.ReasonDPoPBinding, errors.New("server: proof key is not the device key"))
	case d.RevokedAt != nil:
		return nil, zt.NewError(zt.ErrRevoked, zt.CodeInvalidToken, zt.ReasonRevoked,
			errors.New("server: device revoked"))
	}

	if p.User == nil {
		p.User = &zt.User{ID: d.UserID}
	} else if p.User.ID != d.UserID {
		return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"zerosms.owner_mismatch", errors.New("server: token subject is not the owner"))
	}

	p.Device.Posture = d.Posture.Claims()

	return p, nil
}

func badCredential(cause error) error {
	if cause == nil {
		cause = errors.New("server: malformed credential")
	}

	return zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidRequest, "token.bad_authorization",
		cause)
}

// isToken68 reports whether s can travel in an Authorization header.
func isToken68(s string) bool {
	if s == "" || len(s) > 8192 {
		return false
	}

	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-._~+/=", r))
	})
}
