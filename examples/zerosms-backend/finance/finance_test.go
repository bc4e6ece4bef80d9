package finance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

func TestDraftFrom(t *testing.T) {
	received := time.Date(2025, 10, 21, 9, 0, 0, 0, time.UTC)
	p := &smsparse.Parser{}

	cases := []struct {
		name, text string
		spam       bool
		want       string // amount currency payment date flags, or "" for none
	}{
		{"upi debit", "Rs.500.00 debited from A/c XX4821 on 20-Oct-25 to shop@upi " +
			"(UPI Ref No 604218375519)", false, "50000 INR upi 2025-10-20 []"},
		{"spam flag", "Rs.500.00 debited from A/c XX4821 on 20-Oct-25 to shop@upi " +
			"(UPI Ref No 604218375519)", true, "50000 INR upi 2025-10-20 [spam]"},
		{"credit is not a draft", "Rs.1,200.00 credited to A/c XX4821 on 20-Oct-25 by " +
			"NEFT from ACME LTD UTR N123456789", false, ""},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := p.Parse(tc.text)
			if err != nil {
				t.Fatal(err)
			}

			d, ok := finance.DraftFrom("src", tx, received, tc.spam)
			if !ok {
				if tc.want != "" {
					t.Fatalf("no draft, want %s", tc.want)
				}

				return
			}

			x := d.Transaction
			got := fmt.Sprintf("%d %s %s %s %v", x.AmountMinor, x.Currency, x.PaymentType,
				x.Date, d.Flags)
			if got != tc.want || x.Category != "expense" || x.Description == "" {
				t.Fatalf("draft %s (%+v), want %s", got, x, tc.want)
			}
		})
	}
}
