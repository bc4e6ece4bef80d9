package triage_test

import (
	"errors"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
	"github.com/ztkit/ztkit/examples/zerosms-backend/triage"
)

func newTriage(t testing.TB) *triage.Triage {
	t.Helper()

	tr, err := triage.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	return tr
}

func TestInspect(t *testing.T) {
	tr := newTriage(t)

	tests := []struct {
		name, text string
		tx, spam   bool
		reason     smsparse.Reason
	}{
		{"transaction", "Rs.500.00 debited from A/c XX4821 on 20-Oct-25 to merchant@upi (UPI Ref No 604218375519)",
			true, false, ""},
		{"otp", "482915 is the OTP for transaction of INR 3373.00 on your Kotak Bank Card 6604 at AMAZON",
			false, false, smsparse.ReasonOTP},
		{"phishing", "SBI ALERT: Your account will be blocked today. Verify immediately at http://short.example.com/x",
			false, true, smsparse.ReasonPhishing},
		{"prize spam", "WINNER!! You have won a £900 prize! To claim call 09061701461 now.",
			false, true, smsparse.ReasonPromotion},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tr.Inspect(tt.text)
			if err != nil {
				t.Fatal(err)
			}

			if (v.Transaction != nil) != tt.tx || v.Spam != tt.spam {
				t.Errorf("transaction %v spam %v (score %.3f), want %v %v",
					v.Transaction != nil, v.Spam, v.SpamScore, tt.tx, tt.spam)
			}

			if tt.reason != "" && (v.Refusal == nil || v.Refusal.Reason != tt.reason) {
				t.Errorf("refusal %v, want %q", v.Refusal, tt.reason)
			}

			if v.Suspicious() != (tt.tx && tt.spam) {
				t.Errorf("suspicious %v", v.Suspicious())
			}
		})
	}
}

func TestInspectInvalidInput(t *testing.T) {
	if _, err := newTriage(t).Inspect(""); !errors.Is(err, smsparse.ErrInvalidInput) {
		t.Errorf("Inspect(\"\") = %v, want ErrInvalidInput", err)
	}
}
