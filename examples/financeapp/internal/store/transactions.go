package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

const txCols = `id, owner_id, amount_minor, currency, payment_type, category,
	description, location, date, created_at, updated_at`

func scanTx(r scanner) (domain.Transaction, error) {
	var (
		t                domain.Transaction
		created, updated int64
	)

	err := r.Scan(&t.ID, &t.OwnerID, &t.AmountMinor, &t.Currency, &t.PaymentType,
		&t.Category, &t.Description, &t.Location, &t.Date, &created, &updated)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)

	return t, mapErr(err)
}

// CreateTransaction records a validated transaction for owner.
func (s *Store) CreateTransaction(ctx context.Context, owner string,
	in domain.TransactionInput) (domain.Transaction, error) {
	var t domain.Transaction

	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.insertTx(ctx, tx, owner, in)

		return err
	})

	return t, err
}

func (s *Store) insertTx(ctx context.Context, tx *sql.Tx, owner string,
	in domain.TransactionInput) (domain.Transaction, error) {
	now := fromMS(ms(s.now()))
	t := domain.Transaction{ID: NewID(), OwnerID: owner, AmountMinor: in.AmountMinor,
		Currency: in.Currency, PaymentType: domain.PaymentType(in.PaymentType),
		Category: domain.Category(in.Category), Description: in.Description,
		Location: in.Location, Date: in.Date, CreatedAt: now, UpdatedAt: now}

	_, err := tx.ExecContext(ctx, `INSERT INTO transactions (`+txCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.OwnerID, t.AmountMinor, t.Currency, t.PaymentType, t.Category,
		t.Description, t.Location, t.Date, ms(now), ms(now))

	return t, mapErr(err)
}

// Transaction returns one transaction of owner.
func (s *Store) Transaction(ctx context.Context, owner, id string) (domain.Transaction, error) {
	return scanTx(s.db.QueryRowContext(ctx, `SELECT `+txCols+` FROM transactions
		WHERE id = $1 AND owner_id = $2`, id, owner))
}

// TransactionOwner returns who owns a transaction, for policy hooks.
func (s *Store) TransactionOwner(ctx context.Context, id string) (string, error) {
	var owner string
	err := s.db.QueryRowContext(ctx,
		`SELECT owner_id FROM transactions WHERE id = $1`, id).Scan(&owner)

	return owner, mapErr(err)
}

// UpdateTransaction replaces the fields of one of owner's transactions.
func (s *Store) UpdateTransaction(ctx context.Context, owner, id string,
	in domain.TransactionInput) (domain.Transaction, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE transactions SET amount_minor = $3,
			currency = $4, payment_type = $5, category = $6, description = $7,
			location = $8, date = $9, updated_at = $10 WHERE id = $1 AND owner_id = $2`,
			id, owner, in.AmountMinor, in.Currency, in.PaymentType, in.Category,
			in.Description, in.Location, in.Date, ms(s.now()))

		return affected(res, err)
	})
	if err != nil {
		return domain.Transaction{}, err
	}

	return s.Transaction(ctx, owner, id)
}

// DeleteTransaction removes one of owner's transactions.
func (s *Store) DeleteTransaction(ctx context.Context, owner, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM transactions WHERE id = $1 AND owner_id = $2`, id, owner)

		return affected(res, err)
	})
}

// TxFilter narrows a list of transactions; zero fields match everything.
type TxFilter struct {
	Category    string
	PaymentType string
	From, To    string

	// Sort is the column the list is ordered by, then the ID; Asc orders
	// ascending. The zero values are date, descending (newest first).
	Sort TxSort
	Asc  bool

	// After is the keyset cursor: the page starts after the row it names.
	// It must have been made under the same Sort and Asc.
	After *TxCursor

	// Limit is the page size, 1 to 500; zero means 50.
	Limit int
}

// TxSort names a column a list of transactions can be sorted by.
type TxSort string

// The sortable columns.
const (
	SortDate        TxSort = "date"
	SortAmount      TxSort = "amount"
	SortDescription TxSort = "description"
	SortCategory    TxSort = "category"
)

// sortColumns is the whitelist of ORDER BY columns: a sort reaches SQL only
// through it, never as text from a request.
var sortColumns = map[TxSort]string{
	SortDate:        "date",
	SortAmount:      "amount_minor",
	SortDescription: "description",
	SortCategory:    "category",
}

// ParseTxSort returns the sort named v; empty means SortDate.
func ParseTxSort(v string) (TxSort, error) {
	if v == "" {
		return SortDate, nil
	}

	if _, ok := sortColumns[TxSort(v)]; !ok {
		return "", fmt.Errorf("%w: unknown sort %q", domain.ErrInvalid, v)
	}

	return TxSort(v), nil
}

// TxCursor is the position of a row in a sorted list: the sort, its
// direction, the row's sort key and its ID.
type TxCursor struct {
	Sort TxSort `json:"s"`
	Asc  bool   `json:"a,omitempty"`
	Key  string `json:"k"`
	ID   string `json:"i"`
}

// String encodes c for a URL.
func (c TxCursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseTxCursor decodes a cursor that String made; the key must suit the
// sort (an integer for amounts).
func ParseTxCursor(v string) (TxCursor, error) {
	var c TxCursor

	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) > 2048 || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return TxCursor{}, ErrBadCursor
	}

	if _, ok := sortColumns[c.Sort]; !ok {
		return TxCursor{}, ErrBadCursor
	}

	if _, err := strconv.ParseInt(c.Key, 10, 64); c.Sort == SortAmount && err != nil {
		return TxCursor{}, ErrBadCursor
	}

	return c, nil
}

// cursorOf returns the cursor after t under f's sort.
func cursorOf(t domain.Transaction, f TxFilter) string {
	c := TxCursor{Sort: f.Sort, Asc: f.Asc, ID: t.ID}

	switch f.Sort {
	case SortAmount:
		c.Key = strconv.FormatInt(t.AmountMinor, 10)
	case SortDescription:
		c.Key = t.Description
	case SortCategory:
		c.Key = string(t.Category)
	default:
		c.Key = t.Date
	}

	return c.String()
}

// Page is one page of transactions, newest first.
type Page struct {
	Items []domain.Transaction `json:"items"`

	// Next is the cursor of the following page, empty on the last one.
	Next string `json:"next,omitempty"`
}

// Transactions lists owner's transactions, newest first.
func (s *Store) Transactions(ctx context.Context, owner string, f TxFilter) (Page, error) {
	return s.listTx(ctx, "owner_id = $1", []any{owner}, f)
}

// FilteredTransactions lists transactions across owners that match cond, a
// SQL condition over the transactions table produced by the policy engine's
// partial evaluation, whose bind parameters (numbered from the first: $n, or
// ? for SQLite) take args. An empty cond matches nothing: a missing filter
// never widens the result.
func (s *Store) FilteredTransactions(ctx context.Context, cond string, args []any,
	f TxFilter) (Page, error) {
	if strings.TrimSpace(cond) == "" {
		return Page{Items: []domain.Transaction{}}, nil
	}

	// The list's own parameters follow as $n; SQLite numbers a named
	// parameter after the ? ones that come before it, so both line up.
	return s.listTx(ctx, "("+cond+")", slices.Clone(args), f)
}

func (s *Store) listTx(ctx context.Context, cond string, args []any, f TxFilter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}

	if f.Sort == "" {
		f.Sort = SortDate
	}

	if _, ok := sortColumns[f.Sort]; !ok {
		return Page{}, fmt.Errorf("%w: unknown sort %q", domain.ErrInvalid, f.Sort)
	}

	if c := f.After; c != nil && (c.Sort != f.Sort || c.Asc != f.Asc) {
		return Page{}, ErrBadCursor
	}

	q, args := buildList(cond, args, f)

	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("store: list transactions: %w", mapErr(err))
	}
	defer rows.Close()

	p := Page{Items: []domain.Transaction{}}
	for rows.Next() {
		t, err := scanTx(rows)
		if err != nil {
			return Page{}, err
		}

		p.Items = append(p.Items, t)
	}

	if len(p.Items) > f.Limit {
		p.Items = p.Items[:f.Limit]
		p.Next = cursorOf(p.Items[f.Limit-1], f)
	}

	return p, mapErr(rows.Err())
}

func buildList(cond string, args []any, f TxFilter) (string, []any) {
	var b strings.Builder

	b.WriteString(`SELECT ` + txCols + ` FROM transactions WHERE ` + cond)

	add := func(clause string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			clause = strings.Replace(clause, "?", fmt.Sprintf("$%d", len(args)), 1)
		}

		b.WriteString(" AND " + clause)
	}

	if f.Category != "" {
		add("category = ?", f.Category)
	}

	if f.PaymentType != "" {
		add("payment_type = ?", f.PaymentType)
	}

	if f.From != "" {
		add("date >= ?", f.From)
	}

	if f.To != "" {
		add("date <= ?", f.To)
	}

	col, dir, cmp := sortColumns[f.Sort], "DESC", "<"
	if f.Asc {
		dir, cmp = "ASC", ">"
	}

	if c := f.After; c != nil {
		var key any = c.Key
		if f.Sort == SortAmount {
			key, _ = strconv.ParseInt(c.Key, 10, 64)
		}

		add("("+col+" "+cmp+" ? OR ("+col+" = ? AND id "+cmp+" ?))", key, key, c.ID)
	}

	args = append(args, f.Limit+1)
	fmt.Fprintf(&b, " ORDER BY %s %s, id %s LIMIT $%d", col, dir, dir, len(args))

	return b.String(), args
}

// Total is the sum of one owner's transactions of a category in a month and
// currency. AmountMinor is exact unless Overflow says the sum passes int64;
// AmountMinorDecimal is always the exact sum, as a decimal string.
type Total struct {
	Month              string          `json:"month"`
	Category           domain.Category `json:"category"`
	Currency           string          `json:"currency"`
	AmountMinor        int64           `json:"amount_minor"`
	AmountMinorDecimal string          `json:"amount_minor_decimal"`
	Overflow           bool            `json:"overflow,omitempty"`
	Count              int64           `json:"count"`
}

// Totals sums owner's transactions per month, category and currency, for
// charts. The sums are made in Go over the rows' amounts, not with SQL's
// SUM, which fails once a sum passes int64 (SQLite "integer overflow", a
// PostgreSQL numeric out of range for int64): such a total is answered
// with Overflow set, AmountMinor held at the int64 bound and the exact sum
// in AmountMinorDecimal.
func (s *Store) Totals(ctx context.Context, owner string) ([]Total, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT substr(date, 1, 7) AS month, category,
		currency, amount_minor FROM transactions WHERE owner_id = $1
		ORDER BY 1, 2, 3`, owner)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	out := []Total{}
	sums := []*big.Int{}

	for rows.Next() {
		var (
			t      Total
			amount int64
		)

		if err := rows.Scan(&t.Month, &t.Category, &t.Currency, &amount); err != nil {
			return nil, mapErr(err)
		}

		if n := len(out); n == 0 || out[n-1].Month != t.Month ||
			out[n-1].Category != t.Category || out[n-1].Currency != t.Currency {
			out, sums = append(out, t), append(sums, new(big.Int))
		}

		out[len(out)-1].Count++
		sums[len(sums)-1].Add(sums[len(sums)-1], big.NewInt(amount))
	}

	for i, sum := range sums {
		out[i].AmountMinor, out[i].Overflow = clampInt64(sum)
		out[i].AmountMinorDecimal = sum.String()
	}

	return out, mapErr(rows.Err())
}

// clampInt64 returns n as an int64, or the nearest int64 bound and true when
// n does not fit.
func clampInt64(n *big.Int) (int64, bool) {
	switch {
	case n.IsInt64():
		return n.Int64(), false
	case n.Sign() > 0:
		return math.MaxInt64, true
	default:
		return math.MinInt64, true
	}
}
