package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// TestTransactionSort lists a user's transactions by amount, ascending, one
// row a page, following the cursors: the amounts come in order and every
// row once.
func TestTransactionSort(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)

	for _, amount := range []int64{500, 100, 300, 100, 200} {
		r := e.do("POST", "/v1/transactions", a.token, txBody(amount, "expense", "2026-01-15"))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}

	var amounts []int64

	q := url.Values{"sort": {"amount"}, "order": {"asc"}, "limit": {"1"}}
	for range 10 {
		r := e.do("GET", "/v1/transactions?"+q.Encode(), a.token, nil)
		if r.status != http.StatusOK {
			t.Fatalf("list: %d %s", r.status, r.body)
		}

		var page struct {
			Items []domain.Transaction `json:"items"`
			Next  string               `json:"next"`
		}
		r.decode(t, &page)

		for _, it := range page.Items {
			amounts = append(amounts, it.AmountMinor)
		}

		if page.Next == "" {
			break
		}

		q.Set("cursor", page.Next)
	}

	if want := []int64{100, 100, 200, 300, 500}; !slices.Equal(amounts, want) {
		t.Fatalf("amounts %v, want %v", amounts, want)
	}
}
