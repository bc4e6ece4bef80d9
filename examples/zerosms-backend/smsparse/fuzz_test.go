package smsparse_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// FuzzParse checks the parser's promises on any input: no panic, exactly one of
// a transaction or an error, errors of the two documented kinds, and fields that
// hold only what their documentation allows. The seed corpus is in
// testdata/fuzz/FuzzParse, with the test cases added on top.
func FuzzParse(f *testing.F) {
	for _, c := range allCases(f) {
		f.Add(c.Text)
	}

	f.Fuzz(func(t *testing.T, text string) {
		tx, err := smsparse.Parse(text)
		if (tx == nil) == (err == nil) {
			t.Fatalf("got %v and %v; want exactly one", tx, err)
		}

		if err != nil {
			if !errors.Is(err, smsparse.ErrNotTransaction) && !errors.Is(err, smsparse.ErrInvalidInput) {
				t.Fatalf("error of unknown kind: %v", err)
			}

			return
		}

		checkInvariants(t, text, tx)
	})
}

func checkInvariants(t *testing.T, text string, tx *smsparse.Transaction) {
	t.Helper()

	switch tx.Type {
	case smsparse.TypeDebit, smsparse.TypeCredit, smsparse.TypeTransfer:
	default:
		t.Fatalf("type %q", tx.Type)
	}

	for _, m := range []*smsparse.Money{&tx.Amount, tx.Balance, tx.AvailableLimit} {
		if m != nil && (m.Minor < 0 || len(m.Currency) != 3) {
			t.Fatalf("money %#v", m)
		}
	}

	for _, acct := range []string{tx.Account, tx.ToAccount} {
		if strings.IndexFunc(acct, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 || len(acct) > 6 {
			t.Fatalf("account %q", acct)
		}
	}

	// The parser reads tabs, carriage returns and no-break spaces as spaces.
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\u00a0", " ").Replace(text)
	if !strings.Contains(text, tx.DateText) || !strings.Contains(text, tx.Reference) {
		t.Fatalf("date %q or reference %q not from the text", tx.DateText, tx.Reference)
	}

	if tx.DateText == "" && !tx.Date.IsZero() {
		t.Fatalf("date %v without its text", tx.Date)
	}
}
