package backend

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
)

// DraftInput is what the ZeroSMS backend delivers for one parsed SMS.
type DraftInput struct {
	SourceID    string                  `json:"source_id"`
	Transaction domain.TransactionInput `json:"transaction"`
	Flags       []string                `json:"flags,omitempty"`
}

var draftFlags = map[string]bool{"spam": true, "phishing": true, "duplicate": true,
	"low_confidence": true}

func (s *Service) ingestDraft(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	var in DraftInput
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}

	if in.SourceID, err = domain.CleanText("source_id", in.SourceID, 128); err != nil ||
		in.SourceID == "" {
		return &domain.FieldError{Field: "source_id", Msg: "must be 1 to 128 characters"}
	}

	if len(in.Flags) > 8 {
		return &domain.FieldError{Field: "flags", Msg: "at most 8"}
	}

	for _, f := range in.Flags {
		if !draftFlags[f] {
			return &domain.FieldError{Field: "flags", Msg: "unknown flag"}
		}
	}

	tx, err := in.Transaction.Validate()
	if err != nil {
		return err
	}

	d, created, err := s.cfg.Store.CreateDraft(c.Request().Context(), uid, in.SourceID, tx, in.Flags)
	if err != nil {
		return err
	}

	if created {
		return c.JSON(http.StatusCreated, d)
	}

	return c.JSON(http.StatusOK, d)
}

func (s *Service) listDrafts(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	status := domain.DraftStatus(c.QueryParam("status"))
	switch status {
	case "", domain.DraftPending, domain.DraftConfirmed, domain.DraftDiscarded:
	default:
		return &domain.FieldError{Field: "status", Msg: "must be pending, confirmed or discarded"}
	}

	list, err := s.cfg.Store.Drafts(c.Request().Context(), uid, status)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"drafts": list})
}

// confirmDraft makes a transaction from a draft; a body, when given,
// replaces the parsed fields with the owner's corrections.
func (s *Service) confirmDraft(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	ctx := c.Request().Context()

	d, err := s.cfg.Store.Draft(ctx, uid, c.Param("id"))
	if err != nil {
		return err
	}

	in := d.Transaction
	if c.Request().Header.Get(echo.HeaderContentType) != "" {
		if err := httpx.Bind(c, &in); err != nil {
			return err
		}
	}

	if in, err = in.Validate(); err != nil {
		return err
	}

	t, err := s.cfg.Store.ConfirmDraft(ctx, uid, d.ID, in)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusCreated, t)
}

func (s *Service) discardDraft(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	if err := s.cfg.Store.DiscardDraft(c.Request().Context(), uid, c.Param("id")); err != nil {
		return err
	}

	return c.NoContent(http.StatusNoContent)
}
