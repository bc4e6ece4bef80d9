package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
)

// maxBody bounds a request body other than an upload.
const maxBody = 64 << 10

// Enrollment is a user's request to enroll a device.
type Enrollment struct {
	// Name is the user's label for the device, 1 to 64 characters.
	Name string `json:"name"`

	// Key is the device's public key: an EC P-256 or Ed25519 JWK.
	Key json.RawMessage `json:"key"`

	// Posture is the device's first posture report.
	Posture device.Posture `json:"posture"`

	// RefreshToken is a refresh token of a platform session the user signed
	// in for this device; the backend spends it at once and keeps the
	// session to deliver drafts on the user's behalf.
	RefreshToken string `json:"refresh_token"`
}

// Permission is a policy decision on one device action, for the device's
// owner to see.
type Permission struct {
	Allow   bool     `json:"allow"`
	Reasons []string `json:"reasons"`
}

// DeviceView is a device as the API shows it.
type DeviceView struct {
	*store.Device

	// Upload says whether the device may upload now, and why not.
	Upload Permission `json:"upload"`
}

func (s *Server) enroll(c echo.Context) error {
	ctx := c.Request().Context()
	caller := principal(c)

	var in Enrollment
	if err := bind(c, &in, maxBody); err != nil {
		return err
	}

	d, err := newDevice(caller.User.ID, &in, s.cfg.Now())
	if err != nil {
		return err
	}

	del, err := s.delegate(ctx, caller.User.ID, in.RefreshToken)
	if err != nil {
		return err
	}

	if err := s.cfg.Store.CreateDevice(ctx, d, *del); err != nil {
		return err
	}

	return c.JSON(http.StatusCreated, s.view(ctx, d))
}

// newDevice checks an enrollment and makes the device it asks for.
func newDevice(userID string, in *Enrollment, now time.Time) (*store.Device, error) {
	if r := []rune(in.Name); len(r) == 0 || len(r) > 64 || !printable(in.Name) {
		return nil, fail(http.StatusBadRequest, "invalid_name", "name must be 1 to 64 characters")
	}

	if err := in.Posture.Validate(); err != nil {
		return nil, err
	}

	pub, jkt, err := DeviceKey(in.Key)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "invalid_key", err.Error())
	}

	id := make([]byte, 16)
	_, _ = rand.Read(id)

	return &store.Device{ID: hex.EncodeToString(id), UserID: userID, Name: in.Name,
		JKT: jkt, JWK: pub, CreatedAt: now.UTC(), Posture: in.Posture}, nil
}

// ErrDeviceKey is matched by errors for an unacceptable device key.
var ErrDeviceKey = errors.New("server: device key")

// DeviceKey checks a device's public JWK (EC P-256 or Ed25519, public part
// only) and returns it in canonical form with its RFC 7638 thumbprint.
func DeviceKey(raw []byte) (json.RawMessage, string, error) {
	if len(raw) == 0 || len(raw) > 4096 {
		return nil, "", fmt.Errorf("%w: missing or too large", ErrDeviceKey)
	}

	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDeviceKey, err)
	}

	var pub any
	if err := key.Raw(&pub); err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDeviceKey, err)
	}

	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, "", fmt.Errorf("%w: EC keys must be P-256", ErrDeviceKey)
		}
	case ed25519.PublicKey:
	default:
		return nil, "", fmt.Errorf("%w: must be a public EC P-256 or Ed25519 key", ErrDeviceKey)
	}

	clean, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDeviceKey, err)
	}

	jkt, err := token.Thumbprint(clean)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDeviceKey, err)
	}

	out, err := json.Marshal(clean)

	return out, jkt, err
}

// delegate spends the refresh token the user gave for this device, and
// checks that the session it opens is the user's own.
func (s *Server) delegate(ctx context.Context, userID, refresh string) (*store.Delegation, error) {
	if refresh == "" || len(refresh) > 200 {
		return nil, fail(http.StatusBadRequest, "invalid_refresh_token",
			"refresh_token must be a platform refresh token")
	}

	t, err := s.cfg.Finance.Refresh(ctx, refresh)
	if err != nil {
		return nil, err
	}

	p, err := s.cfg.Users.Verify(ctx, t.AccessToken)
	if err != nil || p.User == nil || p.User.ID != userID {
		return nil, fail(http.StatusBadRequest, "foreign_session",
			"the refresh token is not of the signed-in user")
	}

	return &store.Delegation{RefreshToken: t.RefreshToken, AccessToken: t.AccessToken,
		AccessExp: s.cfg.Now().Add(time.Duration(t.ExpiresIn) * time.Second)}, nil
}

func (s *Server) view(ctx context.Context, d *store.Device) DeviceView {
	v := DeviceView{Device: d}
	if d.RevokedAt != nil {
		v.Upload = Permission{Reasons: []string{"device.revoked"}}
		return v
	}

	in := &pep.Input{
		Principal: &zt.Principal{User: &zt.User{ID: d.UserID},
			Device: &zt.Device{ID: d.ID, KeyThumbprint: d.JKT, Posture: d.Posture.Claims()}},
		Request: zt.Request{Action: "messages.upload", Time: s.cfg.Now()},
	}

	dec, err := s.engine.Decide(ctx, in)
	if err != nil {
		return DeviceView{Device: d, Upload: Permission{Reasons: []string{"policy.error"}}}
	}

	v.Upload = Permission{Allow: dec.Allow, Reasons: dec.Reasons}

	return v
}

func (s *Server) list(c echo.Context) error {
	ctx := c.Request().Context()

	list, err := s.cfg.Store.Devices(ctx, principal(c).User.ID)
	if err != nil {
		return err
	}

	out := make([]DeviceView, len(list))
	for i, d := range list {
		out[i] = s.view(ctx, d)
	}

	return c.JSON(http.StatusOK, map[string]any{"devices": out})
}

// revoke revokes one of the caller's devices: its tokens are refused from
// the next request on, and it can get no new one.
func (s *Server) revoke(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")

	if err := s.cfg.Store.RevokeDevice(ctx, principal(c).User.ID, id, s.cfg.Now()); err != nil {
		return err
	}

	if err := s.cfg.Revocation.Revoke(s.deviceRevocation(id)); err != nil {
		return fmt.Errorf("server: revoke: %w", err)
	}

	return c.NoContent(http.StatusNoContent)
}

// postures returns the posture history of one of the caller's devices,
// oldest first.
func (s *Server) postures(c echo.Context) error {
	ctx := c.Request().Context()

	d, err := s.cfg.Store.Device(ctx, c.Param("id"))
	if err != nil {
		return err
	}

	if d.UserID != principal(c).User.ID {
		return store.ErrNotFound
	}

	list, err := s.cfg.Store.PostureHistory(ctx, d.ID)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"postures": list})
}

// DeviceToken is the token endpoint's answer.
type DeviceToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// deviceToken issues a device token bound to the key that signed the proof.
func (s *Server) deviceToken(c echo.Context) error {
	p := principal(c)

	at, err := s.cfg.Issuer.Issue(c.Request().Context(), token.AccessToken{
		Subject: p.User.ID, ClientID: ClientID, Audience: []string{Audience},
		DeviceID: p.Device.ID, ConfirmationJKT: p.Device.KeyThumbprint,
	})
	if err != nil {
		return fmt.Errorf("server: issue: %w", err)
	}

	c.Response().Header().Set("Cache-Control", "no-store")

	return c.JSON(http.StatusOK, DeviceToken{AccessToken: at, TokenType: token.SchemeDPoP,
		ExpiresIn: int64(s.cfg.Issuer.TTL().Seconds())})
}

// posture records a new posture report of the calling device and answers
// with what the device may now do.
func (s *Server) posture(c echo.Context) error {
	ctx := c.Request().Context()
	id := principal(c).Device.ID

	var p device.Posture
	if err := bind(c, &p, maxBody); err != nil {
		return err
	}

	if err := s.cfg.Store.ReportPosture(ctx, id, p); err != nil {
		return err
	}

	d, err := s.cfg.Store.Device(ctx, id)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, s.view(ctx, d))
}

func principal(c echo.Context) *zt.Principal {
	p, _ := zt.PrincipalFrom(c.Request().Context())
	return p
}

// bind decodes a JSON body of at most limit bytes, refusing unknown fields
// and trailing data.
func bind(c echo.Context, v any, limit int64) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "application/json" &&
		!hasPrefixFold(ct, "application/json;") {
		return fail(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the body must be application/json")
	}

	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), r.Body, limit))
	dec.DisallowUnknownFields()

	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, "too_large",
				fmt.Sprintf("the body may be at most %d bytes", limit))
		}

		return fail(http.StatusBadRequest, "invalid_json", err.Error())
	}

	if dec.More() {
		return fail(http.StatusBadRequest, "invalid_json", "data after the JSON value")
	}

	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	})
}
