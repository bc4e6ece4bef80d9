package backend

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

func (s *Service) adminUsers(c echo.Context) error {
	f := store.UserFilter{Status: domain.Status(c.QueryParam("status"))}

	switch f.Status {
	case "", domain.StatusPending, domain.StatusActive, domain.StatusRejected:
	default:
		return &domain.FieldError{Field: "status", Msg: "must be pending, active or rejected"}
	}

	if r := c.QueryParam("role"); r != "" {
		role, err := domain.ParseRole(r)
		if err != nil {
			return err
		}

		f.Role = role
	}

	users, err := s.cfg.Store.Users(c.Request().Context(), f)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

func (s *Service) adminSetRole(c echo.Context) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	role, err := domain.ParseRole(in.Role)
	if err != nil {
		return err
	}

	ctx := c.Request().Context()
	id := c.Param("id")

	if err := s.cfg.Store.SetRole(ctx, id, role); err != nil {
		return err
	}

	u, err := s.cfg.Store.User(ctx, id)
	if err != nil {
		return err
	}

	return s.published(c, http.StatusOK, u)
}

func (s *Service) adminReject(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")

	if err := s.cfg.Store.Reject(ctx, id); err != nil {
		return err
	}

	u, err := s.cfg.Store.User(ctx, id)
	if err != nil {
		return err
	}

	return s.published(c, http.StatusOK, u)
}

func (s *Service) adminDelete(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")

	sessions, err := s.cfg.Store.Sessions(ctx, id)
	if err != nil {
		return err
	}

	if err := s.cfg.Store.DeleteUser(ctx, id); err != nil {
		return err
	}

	ids := make([]string, len(sessions))
	for i, sess := range sessions {
		ids[i] = sess.ID
	}

	if err := s.cfg.Revoke(ctx, ids); err != nil {
		return err
	}

	return s.published(c, http.StatusNoContent, nil)
}

func (s *Service) adminRevokeSessions(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	addr, agent := clientOf(c)

	if _, err := s.cfg.Store.User(ctx, id); err != nil {
		return err
	}

	ids, err := s.cfg.Store.RevokeSessions(ctx, id, "", domain.EventRevoke, addr, agent)
	if err != nil {
		return err
	}

	if err := s.cfg.Revoke(ctx, ids); err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]int{"revoked": len(ids)})
}

func (s *Service) adminSessionLog(c echo.Context) error {
	uid := c.QueryParam("user_id")
	if uid != "" && !isID(uid) {
		return &domain.FieldError{Field: "user_id", Msg: "is not a user id"}
	}

	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return &domain.FieldError{Field: "limit", Msg: "must be 1 to 500"}
		}

		limit = n
	}

	events, err := s.cfg.Store.SessionLog(c.Request().Context(), uid, limit)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

func (s *Service) adminAudit(c echo.Context) error {
	q := c.QueryParams()
	f := store.AuditFilter{UserID: q.Get("actor"), Action: q.Get("action"),
		Decision: q.Get("decision")}

	if f.UserID != "" && !isID(f.UserID) {
		return &domain.FieldError{Field: "actor", Msg: "is not a user id"}
	}

	if _, err := domain.CleanText("action", f.Action, 64); err != nil {
		return err
	}

	if f.Decision != "" && f.Decision != "allow" && f.Decision != "deny" {
		return &domain.FieldError{Field: "decision", Msg: "must be allow or deny"}
	}

	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return &domain.FieldError{Field: "limit", Msg: "must be 1 to 500"}
		}

		f.Limit = n
	}

	events, err := s.cfg.Store.AuditEvents(c.Request().Context(), f)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"items": events})
}
