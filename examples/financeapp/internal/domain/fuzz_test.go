package domain

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzTransactionInput decodes arbitrary JSON into a transaction and
// validates it: never a panic; an accepted input is valid UTF-8 within its
// bounds, and validating it again changes nothing.
func FuzzTransactionInput(f *testing.F) {
	f.Add(`{"amount_minor":100,"currency":"INR","payment_type":"upi","category":"expense","date":"2026-01-01"}`)
	f.Add(`{"amount_minor":1000000000000000,"currency":"JPY","payment_type":"card","category":"saving","date":"2024-02-29","description":" चाय ☕ "}`)
	f.Add(`{"amount_minor":-1,"currency":"inr","date":"2026-02-30","description":"a\u202eb"}`)

	f.Fuzz(func(t *testing.T, raw string) {
		var in TransactionInput
		if json.Unmarshal([]byte(raw), &in) != nil {
			return
		}

		out, err := in.Validate()
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}

			return
		}

		if !utf8.ValidString(out.Description) || out.AmountMinor <= 0 ||
			out.AmountMinor > MaxAmountMinor {
			t.Fatalf("accepted %+v", out)
		}

		again, err := out.Validate()
		if err != nil || again != out {
			t.Fatalf("validation is not idempotent: %+v, %v", again, err)
		}
	})
}
