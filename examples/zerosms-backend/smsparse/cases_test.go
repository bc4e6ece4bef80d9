package smsparse_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// smsCase is one line of testdata/bank-sms/cases.jsonl or
// testdata/extra-cases.jsonl.
type smsCase struct {
	ID     string      `json:"id"`
	Text   string      `json:"text"`
	Expect expectation `json:"expect"`
}

type expectation struct {
	IsTransaction bool     `json:"is_transaction"`
	Category      string   `json:"category"`
	Type          string   `json:"type"`
	Amount        *float64 `json:"amount"`
	Minor         *int64   `json:"minor"`
	Currency      string   `json:"currency"`
	Account       string   `json:"account_last_digits"`
	ToAccount     string   `json:"to_account"`
	Merchant      string   `json:"merchant"`
	VPA           *string  `json:"vpa"`
	Reference     string   `json:"reference"`
	Channel       string   `json:"channel"`
	Date          string   `json:"date"`
	DateISO       string   `json:"date_iso"`
	Balance       *float64 `json:"balance"`
	Limit         *float64 `json:"available_limit"`
	LimitCurrency string   `json:"available_limit_currency"`
	Instrument    string   `json:"instrument"`
}

// fixtureDates are the dates of the collected fixtures as this parser must read
// them (day first, IST); the fixtures only give the text.
var fixtureDates = map[string]string{
	"HDFC-03":  "2025-10-20",
	"HDFC-04":  "2026-01-01",
	"HDFC-05":  "2026-03-30",
	"ICICI-01": "2025-09-03",
	"ICICI-08": "2025-02-28",
	"ICICI-14": "2025-11-10",
	"SBI-01":   "2025-09-13T21:38:26",
	"AXIS-01":  "2025-10-05T09:43:27",
	"FED-01":   "2024-08-15T10:30:25",
	"FED-02":   "2024-08-18T11:45:30",
	"FED-03":   "2025-03-19",
}

// merchantDecisions are the fixtures whose expected merchant comes from another
// parser's conventions that this one deliberately does not follow.
var merchantDecisions = map[string]string{
	"KOTAK-01": "the name of a QR merchant is not in its VPA; the VPA is kept as is",
	"ICICI-11": "an outgoing NEFT names no payee; no counterparty is invented",
}

// refusalCategories maps the fixtures' categories onto this parser's reasons
// where they differ: a notice without any amount is refused for that.
var refusalCategories = map[string]smsparse.Reason{
	"account_notice":  smsparse.ReasonNoAmount,
	"security_notice": smsparse.ReasonNoAmount,
}

func loadCases(t testing.TB, path string) []smsCase {
	t.Helper()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var cases []smsCase

	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c smsCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}

		cases = append(cases, c)
	}

	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	return cases
}

func allCases(t testing.TB) []smsCase {
	cases := loadCases(t, "testdata/bank-sms/cases.jsonl")

	return append(cases, loadCases(t, "testdata/extra-cases.jsonl")...)
}

func TestCases(t *testing.T) {
	cases := allCases(t)
	if len(cases) < 60 {
		t.Fatalf("only %d cases loaded", len(cases))
	}

	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			tx, err := smsparse.Parse(c.Text)
			if !c.Expect.IsTransaction {
				checkRefusal(t, c, tx, err)

				return
			}

			if err != nil {
				t.Fatalf("Parse: %v", err)
			}

			checkTransaction(t, c, tx)
		})
	}
}

func checkRefusal(t *testing.T, c smsCase, tx *smsparse.Transaction, err error) {
	t.Helper()

	var refusal *smsparse.RefusalError
	if !errors.As(err, &refusal) {
		t.Fatalf("got %+v, %v; want a refusal", tx, err)
	}

	if !errors.Is(err, smsparse.ErrNotTransaction) {
		t.Errorf("refusal %v does not match ErrNotTransaction", err)
	}

	want := smsparse.Reason(c.Expect.Category)
	if r, ok := refusalCategories[c.Expect.Category]; ok {
		want = r
	}

	if refusal.Reason != want {
		t.Errorf("reason %q, want %q (%v)", refusal.Reason, want, err)
	}

	if c.Expect.Category == "otp" && strings.ContainsAny(refusal.Evidence, "0123456789") {
		t.Errorf("evidence %q leaks the code", refusal.Evidence)
	}
}

func checkTransaction(t *testing.T, c smsCase, tx *smsparse.Transaction) {
	t.Helper()

	e := c.Expect
	eq(t, "type", string(tx.Type), e.Type)
	eq(t, "currency", tx.Amount.Currency, e.Currency)
	checkMoney(t, "amount", &tx.Amount, e.Amount, e.Minor)

	if e.Account != "" {
		eq(t, "account", tx.Account, e.Account)
	}

	if e.ToAccount != "" {
		eq(t, "to account", tx.ToAccount, e.ToAccount)
	}

	if e.Reference != "" {
		eq(t, "reference", tx.Reference, e.Reference)
	}

	if e.Channel != "" {
		eq(t, "channel", string(tx.Channel), strings.TrimPrefix(e.Channel, "e-"))
	}

	if e.Instrument != "" {
		eq(t, "instrument", string(tx.Instrument), e.Instrument)
	}

	if e.VPA != nil {
		eq(t, "vpa", tx.VPA, *e.VPA)
	}

	checkOptionalMoney(t, "balance", tx.Balance, e.Balance, "")
	checkOptionalMoney(t, "available limit", tx.AvailableLimit, e.Limit, e.LimitCurrency)
	checkMerchant(t, c, tx)
	checkDate(t, c, tx)
}

func eq(t *testing.T, field, got, want string) {
	t.Helper()

	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func checkMoney(t *testing.T, field string, got *smsparse.Money, major *float64, minor *int64) {
	t.Helper()

	if major == nil {
		return
	}

	want := int64(math.Round(*major * 100))
	if minor != nil {
		want = *minor
	}

	if got.Minor != want {
		t.Errorf("%s = %d minor units, want %d", field, got.Minor, want)
	}
}

func checkOptionalMoney(t *testing.T, field string, got *smsparse.Money, want *float64, cur string) {
	t.Helper()

	if want == nil {
		return
	}

	if got == nil {
		t.Errorf("%s missing, want %v", field, *want)

		return
	}

	checkMoney(t, field, got, want, nil)

	if cur != "" {
		eq(t, field+" currency", got.Currency, cur)
	}
}

// checkMerchant accepts the counterparty, the VPA or its local part, or the
// category, and a name the bank truncated or the fixture extended.
func checkMerchant(t *testing.T, c smsCase, tx *smsparse.Transaction) {
	t.Helper()

	want := strings.ToLower(c.Expect.Merchant)
	if want == "" || merchantDecisions[c.ID] != "" {
		return
	}

	local, _, _ := strings.Cut(tx.VPA, "@")
	candidates := []string{
		tx.Counterparty, tx.VPA, local, strings.ReplaceAll(tx.Category, "_", " "),
	}

	for _, got := range candidates {
		got = strings.ToLower(got)
		if got != "" && (strings.HasPrefix(got, want) || strings.HasPrefix(want, got)) {
			return
		}
	}

	t.Errorf("merchant: counterparty %q, vpa %q, category %q; want %q",
		tx.Counterparty, tx.VPA, tx.Category, c.Expect.Merchant)
}

func checkDate(t *testing.T, c smsCase, tx *smsparse.Transaction) {
	t.Helper()

	d := c.Expect.Date
	if d != "" && !strings.HasPrefix(d, tx.DateText) && !strings.HasPrefix(tx.DateText, d) {
		t.Errorf("date text %q, want %q", tx.DateText, c.Expect.Date)
	}

	iso := c.Expect.DateISO
	if iso == "" {
		iso = fixtureDates[c.ID]
	}

	if iso == "" {
		return
	}

	layout, hasTime := time.DateOnly, false
	if strings.Contains(iso, "T") {
		layout, hasTime = "2006-01-02T15:04:05", true
	}

	want, err := time.ParseInLocation(layout, iso, smsparse.IST)
	if err != nil {
		t.Fatal(err)
	}

	if !tx.Date.Equal(want) || tx.HasTime != hasTime {
		t.Errorf("date %v (has time %v), want %v (has time %v)", tx.Date, tx.HasTime, want, hasTime)
	}
}
