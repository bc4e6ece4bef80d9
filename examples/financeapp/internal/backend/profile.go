package backend

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp/totp"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
)

func (s *Service) profile(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	u, err := s.cfg.Store.User(c.Request().Context(), uid)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, u)
}

func (s *Service) updateProfile(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	var in struct {
		DisplayName string `json:"display_name"`
	}
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	name, err := domain.CleanText("display_name", in.DisplayName, 80)
	if err != nil || name == "" {
		return httpx.From(errors.Join(err, &domain.FieldError{Field: "display_name",
			Msg: "must be 1 to 80 characters"}))
	}

	u, err := s.cfg.Store.UpdateProfile(c.Request().Context(), uid, name)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, u)
}

func (s *Service) totpSetup(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	ctx := c.Request().Context()

	u, err := s.cfg.Store.User(ctx, uid)
	if err != nil {
		return err
	}

	if u.TOTPEnabled {
		return httpx.Fail(http.StatusConflict, "totp_enabled", "TOTP is already enabled")
	}

	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.TOTPIssuer, AccountName: u.Email})
	if err != nil {
		return err
	}

	if err := s.cfg.Store.SetTOTP(ctx, uid, key.Secret(), false); err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]string{
		"secret": key.Secret(), "otpauth_url": key.URL(),
	})
}

func (s *Service) totpConfirm(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	ctx := c.Request().Context()

	creds, err := s.cfg.Store.Credentials(ctx, uid)
	if err != nil {
		return err
	}

	if creds.TOTPSecret == "" || creds.TOTPEnabled {
		return httpx.Fail(http.StatusConflict, "totp_not_pending", "start TOTP setup first")
	}

	if !s.checkTOTP(ctx, uid, in.Code, creds.TOTPSecret) {
		return &httpx.Error{Problem: httpx.Problem{Type: "invalid_field", Title: "Bad Request",
			Status: http.StatusBadRequest, Detail: "the code does not match", Field: "code"}}
	}

	if err := s.cfg.Store.SetTOTP(ctx, uid, creds.TOTPSecret, true); err != nil {
		return err
	}

	return s.published(c, http.StatusNoContent, nil)
}

func (s *Service) mySessions(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	return s.sessionReport(c, uid)
}

func (s *Service) sessionReport(c echo.Context, uid string) error {
	ctx := c.Request().Context()

	sessions, err := s.cfg.Store.Sessions(ctx, uid)
	if err != nil {
		return err
	}

	events, err := s.cfg.Store.SessionLog(ctx, uid, 100)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"sessions": sessions, "events": events})
}
