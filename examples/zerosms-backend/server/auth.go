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

// Users and devices present their tokens the same way to the ztkit
// middleware, which checks DPoP proofs itself (method, URL, iat, one use,
// ath and the cnf.jkt binding). verifier routes each token by its issuer:
// this server's device tokens to the device verifier, completed with the
// enrolled device, and anything else to the platform's verifier.
//
// The token endpoint is the exception: a device proves possession of its
// key with a proof and no token yet, which the middleware cannot take.
// deviceAuth checks that proof first and hands the outcome to the
// middleware keyed by the exact proof (presented as the credential), so
// that revocation, policy and audit apply as for any other request.

type authKey struct{}

// proofResult is the outcome of a proof at the token endpoint.
type proofResult struct {
	raw string
	p   *zt.Principal
	err error
}

// verifier is the middleware's Verifier.
type verifier struct {
	s     *Server
	users interface {
		Verify(ctx context.Context, raw string) (*zt.Principal, error)
	}
}

// Verify returns who presented raw: the token endpoint's proof outcome, a
// device, or a user of the platform.
func (v verifier) Verify(ctx context.Context, raw string) (*zt.Principal, error) {
	if r, ok := ctx.Value(authKey{}).(*proofResult); ok &&
		subtle.ConstantTimeCompare([]byte(r.raw), []byte(raw)) == 1 {
		return r.p, r.err
	}

	if u, err := token.Decode(raw); err != nil || u.Claims["iss"] != v.s.cfg.IssuerName {
		return v.users.Verify(ctx, raw)
	}

	p, err := v.s.devices.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}

	if p.Token == nil || p.Token.ClientID != ClientID || p.Device == nil || p.Device.ID == "" {
		return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"zerosms.not_device_token", errors.New("server: not a device token"))
	}

	// The verifier caches p for other requests: complete a copy.
	cp, dev := *p, *p.Device

	return v.s.withDevice(ctx, &cp, &dev)
}

// deviceAuth authenticates the token endpoint's proof.
func (s *Server) deviceAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if c.Path() != pathDeviceToken || r.Method != http.MethodPost {
			return next(c)
		}

		res := s.proofOnly(r, c.Param("id"))

		r = r.WithContext(context.WithValue(r.Context(), authKey{}, res))
		r.Header.Set("Authorization", token.SchemeBearer+" "+res.raw)
		r.Header.Del("DPoP")
		c.SetRequest(r)

		return next(c)
	}
}

// proofOnly authenticates the token endpoint: a DPoP proof for this request,
// signed by the key enrolled for device id.
func (s *Server) proofOnly(r *http.Request, id string) *proofResult {
	proof := r.Header.Get("DPoP")
	if !isToken68(proof) || len(r.Header.Values("DPoP")) != 1 ||
		r.Header.Get("Authorization") != "" {
		return &proofResult{raw: "invalid", err: badCredential(nil)}
	}

	res := &proofResult{raw: proof}

	got, err := s.dpop.Verify(r.Context(), proof, token.DPoPRequest{Method: r.Method,
		URL: s.requestURL(r)})
	if err != nil {
		res.err = err
		return res
	}

	res.p, res.err = s.withDevice(r.Context(), &zt.Principal{},
		&zt.Device{ID: id, KeyThumbprint: got.JKT})

	return res
}

// withDevice completes p with dev, the enrolled device: its owner, its
// posture, and the checks that dev's key thumbprint (the token's cnf.jkt or
// the proof's key) is the enrolled key and that the device is not revoked.
func (s *Server) withDevice(ctx context.Context, p *zt.Principal,
	dev *zt.Device) (*zt.Principal, error) {
	d, err := s.cfg.Store.Device(ctx, dev.ID)

	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, zt.NewError(zt.ErrUnauthenticated, zt.CodeInvalidToken,
			"zerosms.unknown_device", err)
	case err != nil:
		return nil, zt.NewError(zt.ErrUnavailable, "", "zerosms.store", err)
	case subtle.ConstantTimeCompare([]byte(d.JKT), []byte(dev.KeyThumbprint)) != 1:
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

	dev.Posture = d.Posture.Claims()
	p.Device = dev

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
