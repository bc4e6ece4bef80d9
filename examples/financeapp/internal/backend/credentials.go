package backend

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// PasswordChange is a password change request.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword replaces the caller's password (argon2id) after checking
// the current one, and revokes every other session of the caller at once:
// whoever else held one loses it. The policy demands a fresh step-up.
func (s *Service) changePassword(c echo.Context) error {
	uid, sid, err := caller(c)
	if err != nil {
		return err
	}

	var in PasswordChange
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	ctx := c.Request().Context()
	addr, agent := clientOf(c)

	creds, err := s.cfg.Store.Credentials(ctx, uid)
	if err != nil {
		return err
	}

	if _, err := password.Verify(in.CurrentPassword, creds.PasswordHash,
		s.cfg.Password); err != nil {
		_ = s.cfg.Store.LogSessionEvent(ctx, uid, sid, domain.EventLoginFailed, addr, agent)
		return fieldProblem("current_password", "is not the current password")
	}

	if err := password.Check(in.NewPassword); err != nil {
		return fieldProblem("new_password", err.Error())
	}

	if in.NewPassword == in.CurrentPassword {
		return fieldProblem("new_password", "must differ from the current password")
	}

	hash, err := password.Hash(in.NewPassword, s.cfg.Password)
	if err != nil {
		return err
	}

	ids, err := s.cfg.Store.ChangePassword(ctx, uid, sid, hash, addr, agent)
	if err != nil {
		return err
	}

	if err := s.cfg.Revoke(ctx, ids); err != nil {
		return err
	}

	return c.NoContent(http.StatusNoContent)
}

// disableTOTP turns the caller's TOTP off. The policy demands a fresh
// step-up with a TOTP code while TOTP is on.
func (s *Service) disableTOTP(c echo.Context) error {
	uid, sid, err := caller(c)
	if err != nil {
		return err
	}

	addr, agent := clientOf(c)

	err = s.cfg.Store.DisableTOTP(c.Request().Context(), uid, sid, addr, agent)
	if errors.Is(err, store.ErrNotFound) {
		return httpx.Fail(http.StatusConflict, "totp_not_enabled", "TOTP is not enabled")
	}

	if err != nil {
		return err
	}

	// The policies read who has TOTP from the PIP: publish the change.
	return s.published(c, http.StatusNoContent, nil)
}

func fieldProblem(field, detail string) *httpx.Error {
	return &httpx.Error{Problem: httpx.Problem{Type: "invalid_field", Title: "Bad Request",
		Status: http.StatusBadRequest, Detail: detail, Field: field}}
}
