package smsparse_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

func TestAmountForms(t *testing.T) {
	tests := []struct {
		name, amount string
		want         smsparse.Money
	}{
		{"rs dot", "Rs.500.00", smsparse.Money{Minor: 50000, Currency: "INR"}},
		{"rs space", "Rs 500", smsparse.Money{Minor: 50000, Currency: "INR"}},
		{"rs double dot", "Rs..6", smsparse.Money{Minor: 600, Currency: "INR"}},
		{"rs colon", "Rs: 12.5", smsparse.Money{Minor: 1250, Currency: "INR"}},
		{"rs slash dash", "Rs.500/-", smsparse.Money{Minor: 50000, Currency: "INR"}},
		{"lower rs", "rs 1,234.56", smsparse.Money{Minor: 123456, Currency: "INR"}},
		{"inr", "INR 1.00", smsparse.Money{Minor: 100, Currency: "INR"}},
		{"inr glued", "INR1,000", smsparse.Money{Minor: 100000, Currency: "INR"}},
		{"rupee sign", "₹50,000", smsparse.Money{Minor: 5000000, Currency: "INR"}},
		{"rupee sign space", "₹ 99.9", smsparse.Money{Minor: 9990, Currency: "INR"}},
		{"lakh", "Rs 1,00,000.00", smsparse.Money{Minor: 10000000, Currency: "INR"}},
		{"crore", "INR 1,23,45,678.90", smsparse.Money{Minor: 1234567890, Currency: "INR"}},
		{"western grouping", "Rs 100,000.00", smsparse.Money{Minor: 10000000, Currency: "INR"}},
		{"usd", "USD 11.80", smsparse.Money{Minor: 1180, Currency: "USD"}},
		{"dollar sign", "$7", smsparse.Money{Minor: 700, Currency: "USD"}},
		{"euro sign", "€3.5", smsparse.Money{Minor: 350, Currency: "EUR"}},
		{"pound sign", "£10.05", smsparse.Money{Minor: 1005, Currency: "GBP"}},
		{"aed", "AED 250.75", smsparse.Money{Minor: 25075, Currency: "AED"}},
		{"yen", "JPY 1200", smsparse.Money{Minor: 1200, Currency: "JPY"}},
		{"dinar", "KWD 1.250", smsparse.Money{Minor: 1250, Currency: "KWD"}},
		{"zero", "Rs 0.00", smsparse.Money{Minor: 0, Currency: "INR"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := smsparse.Parse(tt.amount + " debited from A/c XX1234 on 05-11-2025.")
			if err != nil {
				t.Fatal(err)
			}

			if tx.Amount != tt.want {
				t.Errorf("amount %v, want %v", tx.Amount, tt.want)
			}
		})
	}
}

func TestNotAmounts(t *testing.T) {
	tests := []struct{ name, text string }{
		{"bare number", "1500 debited from A/c XX1234"},
		{"rs inside word", "Mrs 500 debited from A/c XX1234"},
		{"too many decimals", "Rs 10.505 debited from A/c XX1234"},
		{"overflow", "Rs 99999999999999999999999 debited from A/c XX1234"},
		{"currency without digits", "Rs. debited from A/c XX1234"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := smsparse.Parse(tt.text)

			var refusal *smsparse.RefusalError
			if !errors.As(err, &refusal) || refusal.Reason != smsparse.ReasonNoAmount {
				t.Fatalf("got %v, want a no_amount refusal", err)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"blank", " \n\t "},
		{"too long", "Rs 5 debited " + strings.Repeat("x", smsparse.MaxLength)},
		{"invalid utf-8", "Rs 5 debited \xff\xfe from A/c XX1234"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := smsparse.Parse(tt.text)
			if !errors.Is(err, smsparse.ErrInvalidInput) || tx != nil {
				t.Fatalf("got %v, %v; want ErrInvalidInput", tx, err)
			}

			if errors.Is(err, smsparse.ErrNotTransaction) {
				t.Error("invalid input also matches ErrNotTransaction")
			}
		})
	}
}

func TestDirection(t *testing.T) {
	tests := []struct {
		name, text string
		want       smsparse.Type
	}{
		{"merchant credited after debit", "Acct XX1001 debited for Rs 5 on 01-Oct-25; SHOP credited.", smsparse.TypeDebit},
		{"credited to beneficiary", "NEFT for Rs. 5 has been credited to the beneficiary account", smsparse.TypeDebit},
		{"own transfer", "Acct XX845 debited with Rs 10 & Acct XX296 credited.", smsparse.TypeTransfer},
		{"deposit", "INR 1.00 deposited in A/c XX2390", smsparse.TypeCredit},
		{"received", "You have received Rs 5 in A/c XX1234", smsparse.TypeCredit},
		{"spent", "INR 20 spent on Credit Card x9427", smsparse.TypeDebit},
		{"sent", "Sent Rs.15.00 from AC X3807 to a@ybl", smsparse.TypeDebit},
		{"cr with", "A/c XX1001 Cr with Rs 5 on 01-01-26", smsparse.TypeCredit},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := smsparse.Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}

			if tx.Type != tt.want {
				t.Errorf("type %q, want %q", tx.Type, tt.want)
			}
		})
	}
}

func TestDateLayouts(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time {
		return time.Date(y, m, d, 0, 0, 0, 0, smsparse.IST)
	}

	tests := []struct {
		date string
		want time.Time
	}{
		{"20-Oct-25", day(2025, 10, 20)},
		{"30-MAR-2026", day(2026, 3, 30)},
		{"13Sep25", day(2025, 9, 13)},
		{"18AUG2024", day(2024, 8, 18)},
		{"20 Oct 2025", day(2025, 10, 20)},
		{"3rd Dec 2025", day(2025, 12, 3)},
		{"01/01/26", day(2026, 1, 1)},
		{"14-10-25", day(2025, 10, 14)},
		{"20.10.2025", day(2025, 10, 20)},
		{"2025-10-20", day(2025, 10, 20)},
		{"2025/10/20", day(2025, 10, 20)},
		{"March 19, 2025", day(2025, 3, 19)},
		{"Sept 2 2025", day(2025, 9, 2)},
		{"29-02-2024", day(2024, 2, 29)},
	}

	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			tx, err := smsparse.Parse("Rs 5 debited from A/c XX1234 on " + tt.date + ".")
			if err != nil {
				t.Fatal(err)
			}

			if !tx.Date.Equal(tt.want) {
				t.Errorf("date %v, want %v", tx.Date, tt.want)
			}
		})
	}
}

func TestImpossibleDateSkipped(t *testing.T) {
	tx, err := smsparse.Parse("Rs 5 debited from A/c XX1234 on 31-02-2025.")
	if err != nil {
		t.Fatal(err)
	}

	if !tx.Date.IsZero() {
		t.Errorf("date %v read from an impossible date", tx.Date)
	}
}

func TestParserLocation(t *testing.T) {
	p := smsparse.Parser{Location: time.UTC}

	tx, err := p.Parse("Rs 5 debited from A/c XX1234 on 2025-10-20 10:30:00")
	if err != nil {
		t.Fatal(err)
	}

	want := time.Date(2025, 10, 20, 10, 30, 0, 0, time.UTC)
	if !tx.Date.Equal(want) {
		t.Errorf("date %v, want %v", tx.Date, want)
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    smsparse.Money
		want string
	}{
		{smsparse.Money{Minor: 150000, Currency: "INR"}, "INR 1500.00"},
		{smsparse.Money{Minor: 5, Currency: "USD"}, "USD 0.05"},
		{smsparse.Money{Minor: 1200, Currency: "JPY"}, "JPY 1200"},
		{smsparse.Money{Minor: 1250, Currency: "KWD"}, "KWD 1.250"},
		{smsparse.Money{Minor: -250, Currency: "INR"}, "INR -2.50"},
	}

	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// TestRefusalsOutrankTransactionWords checks that a refusal wins although the
// text also has every word of a real transaction.
func TestRefusalsOutrankTransactionWords(t *testing.T) {
	base := "Rs 500.00 debited from A/c XX1234 on 05-11-25 to SHOP. UPI Ref 123456789012."

	tests := []struct {
		name, text string
		want       smsparse.Reason
	}{
		{"otp", "123456 is your OTP for txn. " + base, smsparse.ReasonOTP},
		{"phishing link", base + " Your KYC expires today, update at https://x.example/kyc", smsparse.ReasonPhishing},
		{"failed", base + " Transaction failed.", smsparse.ReasonFailed},
		{"will be debited", "Rs 500 will be debited from A/c XX1234 on 05-11-25.", smsparse.ReasonFutureDebit},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := smsparse.Parse(tt.text)

			var refusal *smsparse.RefusalError
			if !errors.As(err, &refusal) || refusal.Reason != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}

	if _, err := smsparse.Parse(base + " Not you? Call us or visit https://bank.example/fraud"); err != nil {
		t.Errorf("a real alert with a help link was refused: %v", err)
	}

	if _, err := smsparse.Parse(base + " Never share your OTP with anyone."); err != nil {
		t.Errorf("a real alert with an OTP warning was refused: %v", err)
	}
}

func TestParseIsDeterministic(t *testing.T) {
	for _, c := range allCases(t) {
		a, errA := smsparse.Parse(c.Text)
		b, errB := smsparse.Parse(c.Text)

		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Errorf("%s: two parses differ", c.ID)
		}
	}
}

func TestNoAccountRefused(t *testing.T) {
	tests := []string{
		"Get a new tune sent every week, just text POLY to 81618, £3 per tune.",
		"You are selected to have received a £350 award. Call 09063442151 to claim.",
		"Rs 500 spent at the market today, remember to note it down",
	}

	for _, text := range tests {
		_, err := smsparse.Parse(text)

		var refusal *smsparse.RefusalError
		if !errors.As(err, &refusal) || refusal.Reason != smsparse.ReasonNoAccount {
			t.Errorf("Parse(%q) = %v, want a no_account refusal", text, err)
		}
	}
}

func TestFutureCreditRefused(t *testing.T) {
	_, err := smsparse.Parse("£2.50 will be added to your next bill for A/c XX1234")

	var refusal *smsparse.RefusalError
	if !errors.As(err, &refusal) || refusal.Reason != smsparse.ReasonFutureDebit {
		t.Errorf("got %v, want future_debit_notice", err)
	}
}
