package backend

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

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

	if err := auditRange(q, &f); err != nil {
		return err
	}

	page, err := s.cfg.Store.AuditEvents(c.Request().Context(), f)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, page)
}

// auditRange reads from and to (RFC 3339; from inclusive, to exclusive)
// and the keyset cursor of the audit trail.
func auditRange(q url.Values, f *store.AuditFilter) error {
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return &domain.FieldError{Field: p.name, Msg: "must be an RFC 3339 time"}
			}

			*p.into = t
		}
	}

	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return &domain.FieldError{Field: "to", Msg: "must be after from"}
	}

	if v := q.Get("cursor"); v != "" {
		c, err := store.ParseAuditCursor(v)
		if err != nil {
			return &domain.FieldError{Field: "cursor", Msg: "is not a cursor of this list"}
		}

		f.After = &c
	}

	return nil
}
