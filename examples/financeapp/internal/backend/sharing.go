package backend

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// Person is the public face of a user in directories and grants.
type Person struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
}

// GrantView is a grant with the people it names and whether it is in force.
type GrantView struct {
	domain.Grant
	Owner   *Person `json:"owner,omitempty"`
	Auditor *Person `json:"auditor,omitempty"`
	Active  bool    `json:"active"`
}

func person(u domain.User) *Person {
	return &Person{ID: u.ID, DisplayName: u.DisplayName, Email: u.Email}
}

func (s *Service) auditors(c echo.Context) error {
	list, err := s.cfg.Store.Users(c.Request().Context(), store.UserFilter{
		Status: domain.StatusActive, Role: domain.RoleAuditor})
	if err != nil {
		return err
	}

	out := make([]*Person, len(list))
	for i, u := range list {
		out[i] = person(u)
	}

	return c.JSON(http.StatusOK, map[string]any{"auditors": out})
}

func (s *Service) listGrants(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	return s.grantList(c, store.GrantFilter{OwnerID: uid})
}

func (s *Service) auditorGrants(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	return s.grantList(c, store.GrantFilter{AuditorID: uid})
}

func (s *Service) grantList(c echo.Context, f store.GrantFilter) error {
	ctx := c.Request().Context()

	grants, err := s.cfg.Store.Grants(ctx, f)
	if err != nil {
		return err
	}

	people := map[string]*Person{}
	out := make([]GrantView, len(grants))

	for i, g := range grants {
		out[i] = GrantView{Grant: g, Active: g.Active(s.cfg.Now()),
			Owner: s.lookup(ctx, people, g.OwnerID), Auditor: s.lookup(ctx, people, g.AuditorID)}
	}

	return c.JSON(http.StatusOK, map[string]any{"grants": out})
}

func (s *Service) lookup(ctx context.Context, cache map[string]*Person, id string) *Person {
	if p, ok := cache[id]; ok {
		return p
	}

	u, err := s.cfg.Store.User(ctx, id)
	if err != nil {
		cache[id] = nil
		return nil
	}

	cache[id] = person(u)

	return cache[id]
}

func (s *Service) createGrant(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	var in domain.GrantInput
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	g, err := in.Validate(uid, s.cfg.Now())
	if err != nil {
		return err
	}

	g, err = s.cfg.Store.CreateGrant(c.Request().Context(), g)
	if err != nil {
		if err == store.ErrConflict {
			return httpx.Fail(http.StatusConflict, "not_an_auditor",
				"auditor_id must name an active auditor")
		}

		return err
	}

	return s.published(c, http.StatusCreated, GrantView{Grant: g, Active: true})
}

func (s *Service) revokeGrant(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	if err := s.cfg.Store.RevokeGrant(c.Request().Context(), uid, c.Param("id")); err != nil {
		return err
	}

	return s.published(c, http.StatusNoContent, nil)
}

// auditorTransactions lists exactly the rows the policy's partial evaluation
// admits for this auditor: the WHERE clause comes from the policy engine.
func (s *Service) auditorTransactions(c echo.Context) error {
	if _, _, err := caller(c); err != nil {
		return err
	}

	f, err := listFilter(c)
	if err != nil {
		return err
	}

	if owner := c.QueryParam("owner_id"); owner != "" && !isID(owner) {
		return &domain.FieldError{Field: "owner_id", Msg: "is not a user id"}
	}

	cond, args, none, err := s.cfg.Filter(c.Request().Context(), c)
	if err != nil {
		return err
	}

	if none {
		return c.JSON(http.StatusOK, store.Page{Items: []domain.Transaction{}})
	}

	p, err := s.cfg.Store.FilteredTransactions(c.Request().Context(), cond, args, f)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, p)
}
