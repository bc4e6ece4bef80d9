package token

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// errClaim is the cause of a claim of the wrong JSON type or value.
var errClaim = errors.New("token: invalid claim")

// claims decodes and checks the claims of a verified payload and builds the
// Principal. It returns the time after which the token is no longer valid.
func (v *Verifier) claims(
	payload []byte, typ string, now time.Time,
) (*zt.Principal, time.Time, error) {
	m, err := decodeObject(payload)
	if err != nil {
		return nil, time.Time{}, invalidf(ReasonBadClaims, ErrMalformed, "claims: %v", err)
	}

	c := claimReader{m: m}
	p := principalOf(&c, typ)
	nbf := c.date("nbf")
	if c.err != nil {
		return nil, time.Time{}, invalid(ReasonBadClaims, c.err)
	}

	expires, err := v.checkClaims(p.Token, m, nbf, now)
	if err != nil {
		return nil, time.Time{}, err
	}

	return p, expires, nil
}

// checkClaims applies the issuer, audience, time and presence rules.
func (v *Verifier) checkClaims(
	t *zt.Token, m map[string]any, nbf, now time.Time,
) (time.Time, error) {
	if t.Issuer != v.cfg.Issuer {
		return time.Time{}, invalidf(ReasonIssuer, ErrIssuer, "iss %q", t.Issuer)
	}

	if !slices.ContainsFunc(t.Audience, func(a string) bool {
		return slices.Contains(v.cfg.Audience, a)
	}) {
		return time.Time{}, invalidf(ReasonAudience, ErrAudience, "aud %q", t.Audience)
	}

	for _, name := range v.cfg.RequiredClaims {
		if _, ok := m[name]; !ok {
			return time.Time{}, invalidf(ReasonBadClaims, errClaim, "missing %q", name)
		}
	}

	return v.checkTimes(t, nbf, now)
}

// checkTimes applies "exp", "nbf", "iat" and MaxAge with the leeway, and
// returns when the token stops being valid (without leeway).
func (v *Verifier) checkTimes(t *zt.Token, nbf, now time.Time) (time.Time, error) {
	leeway := v.cfg.Leeway
	expires := t.ExpiresAt

	switch {
	case expires.IsZero() && !v.cfg.ExpiryOptional:
		return time.Time{}, invalidf(ReasonMissingExpiry, ErrExpired, "no exp")
	case !expires.IsZero() && !now.Before(expires.Add(leeway)):
		return time.Time{}, invalidf(ReasonExpired, ErrExpired, "expired at %s", expires)
	case now.Add(leeway).Before(nbf):
		return time.Time{}, invalidf(ReasonNotYetValid, ErrNotYetValid, "nbf %s", nbf)
	case t.IssuedAt.After(now.Add(leeway)):
		return time.Time{}, invalidf(ReasonIssuedInFuture, ErrNotYetValid, "iat %s", t.IssuedAt)
	}

	if v.cfg.MaxAge > 0 {
		if t.IssuedAt.IsZero() {
			return time.Time{}, invalidf(ReasonBadClaims, errClaim, "missing \"iat\"")
		}

		limit := t.IssuedAt.Add(v.cfg.MaxAge)
		if !now.Before(limit.Add(leeway)) {
			return time.Time{}, invalidf(ReasonTooOld, ErrExpired, "issued at %s", t.IssuedAt)
		}

		if expires.IsZero() || limit.Before(expires) {
			expires = limit
		}
	}

	return expires, nil
}

// principalOf maps the standard claims onto a Principal. A "sub" that is a
// SPIFFE ID makes a Workload facet instead of a User facet.
func principalOf(c *claimReader, typ string) *zt.Principal {
	box := &principalBox{}
	p := &box.p
	p.Claims = c.m
	p.Token = &box.t
	box.t = zt.Token{
		ID:              c.str("jti"),
		Type:            typ,
		Issuer:          c.str("iss"),
		Audience:        c.audience(),
		ClientID:        c.str("client_id"),
		IssuedAt:        c.date("iat"),
		ExpiresAt:       c.date("exp"),
		ConfirmationJKT: c.confirmation(),
	}

	sub := c.str("sub")
	if td, ok := strings.CutPrefix(sub, "spiffe://"); ok {
		td, _, _ = strings.Cut(td, "/")
		box.w = zt.Workload{ID: sub, TrustDomain: td}
		p.Workload = &box.w
	} else if sub != "" {
		p.User = &box.u
		box.u = zt.User{
			ID:          sub,
			SessionID:   c.str("sid"),
			Roles:       c.strs("roles"),
			Scopes:      c.scopes(),
			AuthTime:    c.date("auth_time"),
			AuthMethods: c.strs("amr"),
		}
	}

	if jkt := p.Token.ConfirmationJKT; jkt != "" || c.str("device_id") != "" {
		box.d = zt.Device{ID: c.str("device_id"), KeyThumbprint: jkt}
		p.Device = &box.d
		if posture, ok := c.m["device_posture"].(map[string]any); ok {
			p.Device.Posture = posture
		}
	}

	return p
}

// claimReader reads typed claims from a decoded claim set, remembering the
// first claim of the wrong type.
type claimReader struct {
	m   map[string]any
	err error
}

func (c *claimReader) fail(name, want string) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %q is not %s", errClaim, name, want)
	}
}

func (c *claimReader) str(name string) string {
	v, ok := c.m[name]
	if !ok {
		return ""
	}

	s, ok := v.(string)
	if !ok {
		c.fail(name, "a string")
	}

	return s
}

func (c *claimReader) strs(name string) []string {
	v, ok := c.m[name]
	if !ok {
		return nil
	}

	out, ok := stringList(v)
	if !ok {
		c.fail(name, "an array of strings")
	}

	return out
}

// audience reads "aud", which is a string or an array of strings.
func (c *claimReader) audience() []string {
	if s, ok := c.m["aud"].(string); ok {
		return []string{s}
	}

	return c.strs("aud")
}

// scopes reads "scope" (RFC 8693, space-separated) or else "scp" (an array).
func (c *claimReader) scopes() []string {
	if _, ok := c.m["scope"]; ok {
		return strings.Fields(c.str("scope"))
	}

	return c.strs("scp")
}

func (c *claimReader) confirmation() string {
	v, ok := c.m["cnf"]
	if !ok {
		return ""
	}

	cnf, ok := v.(map[string]any)
	if !ok {
		c.fail("cnf", "an object")
		return ""
	}

	jkt, ok := cnf["jkt"].(string)
	if _, present := cnf["jkt"]; present && (!ok || jkt == "") {
		c.fail("cnf.jkt", "a non-empty string")
	}

	return jkt
}

func (c *claimReader) date(name string) time.Time {
	v, ok := c.m[name]
	if !ok {
		return time.Time{}
	}

	t := numericDate(v)
	if t.IsZero() {
		c.fail(name, "a NumericDate")
	}

	return t
}

// numericDate converts a JSON number of seconds since the epoch to a time, or
// returns the zero time for anything else (including negative or absurd
// values).
func numericDate(v any) time.Time {
	f, ok := v.(float64)
	if !ok || f <= 0 || f > 1<<40 || math.IsNaN(f) {
		return time.Time{}
	}

	sec, frac := math.Modf(f)

	return time.Unix(int64(sec), int64(frac*1e9))
}

func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}

	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}

	return out, true
}
