package backend

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// listFilter reads the list query parameters, refusing invalid values.
func listFilter(c echo.Context) (store.TxFilter, error) {
	q := c.QueryParams()
	f := store.TxFilter{Category: q.Get("category"), PaymentType: q.Get("payment_type"),
		From: q.Get("from"), To: q.Get("to")}

	if f.Category != "" {
		if _, err := domain.ParseCategory(f.Category); err != nil {
			return f, err
		}
	}

	if f.PaymentType != "" {
		if _, err := domain.ParsePaymentType(f.PaymentType); err != nil {
			return f, err
		}
	}

	for name, v := range map[string]string{"from": f.From, "to": f.To} {
		if v != "" {
			if _, err := domain.ParseDate(name, v); err != nil {
				return f, err
			}
		}
	}

	if err := pageParams(c, &f); err != nil {
		return f, err
	}

	return f, nil
}

func pageParams(c echo.Context, f *store.TxFilter) error {
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return &domain.FieldError{Field: "limit", Msg: "must be 1 to 500"}
		}

		f.Limit = n
	}

	if err := sortParams(c, f); err != nil {
		return err
	}

	if v := c.QueryParam("cursor"); v != "" {
		cur, err := store.ParseTxCursor(v)
		if err != nil || cur.Sort != f.Sort || cur.Asc != f.Asc || !isID(cur.ID) {
			return &domain.FieldError{Field: "cursor", Msg: "is not a cursor of this list"}
		}

		f.After = &cur
	}

	return nil
}

// sortParams reads sort (date, amount, description or category; date by
// default) and order (asc or desc; desc by default).
func sortParams(c echo.Context, f *store.TxFilter) error {
	sort, err := store.ParseTxSort(c.QueryParam("sort"))
	if err != nil {
		return &domain.FieldError{Field: "sort",
			Msg: "must be date, amount, description or category"}
	}

	f.Sort = sort

	switch c.QueryParam("order") {
	case "", "desc":
	case "asc":
		f.Asc = true
	default:
		return &domain.FieldError{Field: "order", Msg: "must be asc or desc"}
	}

	return nil
}

// isID reports whether s looks like an identifier made by store.NewID.
func isID(s string) bool {
	if len(s) != 32 {
		return false
	}

	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}

	return true
}

func (s *Service) listTransactions(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	f, err := listFilter(c)
	if err != nil {
		return err
	}

	p, err := s.cfg.Store.Transactions(c.Request().Context(), uid, f)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, p)
}

func bindTx(c echo.Context) (domain.TransactionInput, error) {
	var in domain.TransactionInput
	if err := httpx.Bind(c, &in); err != nil {
		return in, err
	}

	return in.Validate()
}

func (s *Service) createTransaction(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	in, err := bindTx(c)
	if err != nil {
		return err
	}

	t, err := s.cfg.Store.CreateTransaction(c.Request().Context(), uid, in)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusCreated, t)
}

func (s *Service) readTransaction(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	t, err := s.cfg.Store.Transaction(c.Request().Context(), uid, c.Param("id"))
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, t)
}

func (s *Service) updateTransaction(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	in, err := bindTx(c)
	if err != nil {
		return err
	}

	t, err := s.cfg.Store.UpdateTransaction(c.Request().Context(), uid, c.Param("id"), in)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, t)
}

func (s *Service) deleteTransaction(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	if err := s.cfg.Store.DeleteTransaction(c.Request().Context(), uid, c.Param("id")); err != nil {
		return err
	}

	return c.NoContent(http.StatusNoContent)
}

func (s *Service) summary(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	totals, err := s.cfg.Store.Totals(c.Request().Context(), uid)
	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, map[string]any{"totals": totals})
}

// export writes every transaction of the caller as CSV. Cells that a
// spreadsheet would evaluate as a formula are prefixed with a quote.
func (s *Service) export(c echo.Context) error {
	uid, _, err := caller(c)
	if err != nil {
		return err
	}

	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, `attachment; filename="transactions.csv"`)
	w.WriteHeader(http.StatusOK)

	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "date", "amount_minor", "currency", "payment_type",
		"category", "description", "location", "created_at", "updated_at"})

	f := store.TxFilter{Limit: 500}
	for {
		p, err := s.cfg.Store.Transactions(c.Request().Context(), uid, f)
		if err != nil {
			return err
		}

		for _, t := range p.Items {
			_ = cw.Write([]string{t.ID, t.Date, strconv.FormatInt(t.AmountMinor, 10),
				t.Currency, string(t.PaymentType), string(t.Category), cell(t.Description),
				cell(t.Location), t.CreatedAt.Format(timeLayout), t.UpdatedAt.Format(timeLayout)})
		}

		if p.Next == "" {
			break
		}

		next, err := store.ParseTxCursor(p.Next)
		if err != nil {
			return err
		}

		f.After = &next
	}

	cw.Flush()

	return cw.Error()
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// cell neutralizes CSV formula injection (OWASP: cells starting with = + - @
// tab or carriage return).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}

	return s
}
