package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for s, ok := range map[string]bool{
		"2026-02-28": true, "2024-02-29": true, "2026-02-29": false, "2026-02-30": false,
		"2026-13-01": false, "2026-1-01": false, "26-01-01": false, "": false,
		"1899-12-31": false, "2026-01-01T00:00:00Z": false, "２０２６-01-01": false,
	} {
		if _, err := ParseDate("date", s); (err == nil) != ok {
			t.Errorf("ParseDate(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

func TestCleanText(t *testing.T) {
	for name, tc := range map[string]struct {
		in string
		ok bool
	}{
		"plain":             {"Chai at the station", true},
		"devanagari":        {"चाय", true},
		"emoji":             {"☕ 🚆", true},
		"sql injection":     {"'; DROP TABLE transactions; --", true},
		"bidi override":     {"abc\u202Etxt.exe", false},
		"zero width joiner": {"a\u200Db", false},
		"nul":               {"a\x00b", false},
		"newline":           {"a\nb", false},
		"invalid utf8":      {"\xff\xfe", false},
		"too long":          {strings.Repeat("é", 201), false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CleanText("description", tc.in, 200)
			if (err == nil) != tc.ok {
				t.Fatalf("CleanText = %v, want ok=%v", err, tc.ok)
			}

			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
		})
	}
}

func TestTransactionInput(t *testing.T) {
	good := TransactionInput{AmountMinor: 100, Currency: "INR", PaymentType: "card",
		Category: "expense", Date: "2026-01-01"}

	for name, mut := range map[string]func(*TransactionInput){
		"zero amount":     func(in *TransactionInput) { in.AmountMinor = 0 },
		"negative amount": func(in *TransactionInput) { in.AmountMinor = -1 },
		"huge amount":     func(in *TransactionInput) { in.AmountMinor = MaxAmountMinor + 1 },
		"bad currency":    func(in *TransactionInput) { in.Currency = "inr" },
		"bad payment":     func(in *TransactionInput) { in.PaymentType = "cheque" },
		"bad category":    func(in *TransactionInput) { in.Category = "gift" },
		"bad date":        func(in *TransactionInput) { in.Date = "2026-04-31" },
	} {
		t.Run(name, func(t *testing.T) {
			in := good
			mut(&in)

			if _, err := in.Validate(); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
		})
	}

	if _, err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
}

func TestGrantInput(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour)

	for name, tc := range map[string]struct {
		in GrantInput
		ok bool
	}{
		"all":          {GrantInput{AuditorID: "a", Scope: "all", ExpiresAt: exp}, true},
		"self":         {GrantInput{AuditorID: "o", Scope: "all", ExpiresAt: exp}, false},
		"expired":      {GrantInput{AuditorID: "a", Scope: "all", ExpiresAt: now.Add(-1)}, false},
		"too long":     {GrantInput{AuditorID: "a", Scope: "all", ExpiresAt: now.AddDate(2, 0, 0)}, false},
		"range":        {GrantInput{AuditorID: "a", Scope: "date_range", DateFrom: "2026-01-01", DateTo: "2026-03-31", ExpiresAt: exp}, true},
		"range upside": {GrantInput{AuditorID: "a", Scope: "date_range", DateFrom: "2026-03-01", DateTo: "2026-01-31", ExpiresAt: exp}, false},
		"cats":         {GrantInput{AuditorID: "a", Scope: "categories", Categories: []string{"saving"}, ExpiresAt: exp}, true},
		"cats empty":   {GrantInput{AuditorID: "a", Scope: "categories", ExpiresAt: exp}, false},
		"cats unknown": {GrantInput{AuditorID: "a", Scope: "categories", Categories: []string{"x"}, ExpiresAt: exp}, false},
		"all w/ dates": {GrantInput{AuditorID: "a", Scope: "all", DateFrom: "2026-01-01", ExpiresAt: exp}, false},
		"bad scope":    {GrantInput{AuditorID: "a", Scope: "everything", ExpiresAt: exp}, false},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tc.in.Validate("o", now); (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, ok := range map[string]bool{
		" Alice@Example.COM ": true, "no-at.example.com": false, "a@b": false,
		"a b@example.com": false, "a@b@example.com": false, "a@exa\u202Emple.com": false,
	} {
		if _, err := NormalizeEmail(in); (err == nil) != ok {
			t.Errorf("NormalizeEmail(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}
