package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid is matched by every validation error of this package.
var ErrInvalid = errors.New("domain: invalid")

// invalid returns an error that wraps ErrInvalid and names the field.
func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// FieldError is a validation error about one field of an input.
type FieldError struct {
	// Field is the JSON name of the offending field.
	Field string

	// Msg says what is wrong, in terms safe to show the caller.
	Msg string
}

// Error returns the field and the message.
func (e *FieldError) Error() string {
	return "domain: " + e.Field + ": " + e.Msg
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Role is the single role an active user holds.
type Role string

// The roles of the platform.
const (
	RoleAdmin   Role = "admin"
	RoleUser    Role = "user"
	RoleAuditor Role = "auditor"
)

// ParseRole returns the Role named s.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleUser, RoleAuditor:
		return r, nil
	}

	return "", invalid("role", "must be one of admin, user, auditor")
}

// Status is where a user account stands.
type Status string

// The account states: sign-up lands in pending; an admin activates (by assigning
// a role) or rejects.
const (
	StatusPending  Status = "pending"
	StatusActive   Status = "active"
	StatusRejected Status = "rejected"
)

// PaymentType says how a transaction was paid.
type PaymentType string

// The payment types.
const (
	PaymentCard PaymentType = "card"
	PaymentCash PaymentType = "cash"
	PaymentUPI  PaymentType = "upi"
)

// ParsePaymentType returns the PaymentType named s.
func ParsePaymentType(s string) (PaymentType, error) {
	switch p := PaymentType(s); p {
	case PaymentCard, PaymentCash, PaymentUPI:
		return p, nil
	}

	return "", invalid("payment_type", "must be one of card, cash, upi")
}

// Category classifies a transaction.
type Category string

// The categories.
const (
	CategoryExpense    Category = "expense"
	CategorySaving     Category = "saving"
	CategoryInvestment Category = "investment"
)

// Categories lists every category, in a stable order.
var Categories = []Category{CategoryExpense, CategorySaving, CategoryInvestment}

// ParseCategory returns the Category named s.
func ParseCategory(s string) (Category, error) {
	switch c := Category(s); c {
	case CategoryExpense, CategorySaving, CategoryInvestment:
		return c, nil
	}

	return "", invalid("category", "must be one of expense, saving, investment")
}

// MaxAmountMinor bounds an amount's absolute value: 10^15 minor units, far above
// any personal transaction and far below int64 overflow when summed.
const MaxAmountMinor int64 = 1_000_000_000_000_000

// ValidateAmount checks that an amount in minor units is positive and bounded.
func ValidateAmount(minor int64) error {
	if minor <= 0 || minor > MaxAmountMinor {
		return invalid("amount_minor", "must be between 1 and %d", MaxAmountMinor)
	}

	return nil
}

// ValidateCurrency checks that s is an ISO 4217 alphabetic code this platform
// knows.
func ValidateCurrency(s string) error {
	if _, ok := currencies[s]; !ok {
		return invalid("currency", "must be an ISO 4217 code such as INR, USD, EUR")
	}

	return nil
}

// MinorDigits returns how many minor-unit digits the currency has (2 for INR,
// 0 for JPY).
func MinorDigits(currency string) int {
	return currencies[currency]
}

// currencies maps the supported ISO 4217 codes to their minor-unit digits.
var currencies = map[string]int{
	"AED": 2, "AUD": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CNY": 2, "EUR": 2,
	"GBP": 2, "HKD": 2, "INR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "LKR": 2,
	"NPR": 2, "NZD": 2, "OMR": 3, "QAR": 2, "SAR": 2, "SGD": 2, "USD": 2,
	"ZAR": 2,
}

// DateLayout is the layout of calendar dates on the wire and in the database.
const DateLayout = time.DateOnly

// ParseDate parses a YYYY-MM-DD calendar date between 1900 and 9999; impossible
// dates such as 2026-02-30 are refused.
func ParseDate(field, s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil || d.Format(DateLayout) != s {
		return time.Time{}, invalid(field, "must be a date as YYYY-MM-DD")
	}

	if d.Year() < 1900 {
		return time.Time{}, invalid(field, "must be after 1900")
	}

	return d, nil
}

// CleanText checks a free-text field: valid UTF-8, at most max characters, no
// control or invisible format characters (bidi overrides, zero-width), and
// returns it trimmed and in a stable form.
func CleanText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8")
	}

	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", invalid(field, "must be at most %d characters", max)
	}

	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", invalid(field, "must not contain control or format characters")
		}

		// U+FFFD is what a decoder puts in place of broken input, such
		// as a lone UTF-16 surrogate in JSON: refuse rather than store it.
		if r == utf8.RuneError {
			return "", invalid(field, "must not contain broken characters")
		}
	}

	return s, nil
}

// NormalizeEmail validates an email address loosely (one @, a dot in the
// domain, no spaces) and returns it in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))

	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(host, ".") || len(s) > 254 ||
		strings.ContainsAny(s, " \t\r\n<>()[],;:\\\"") || strings.Contains(host, "@") {
		return "", invalid("email", "must be an email address")
	}

	if _, err := CleanText("email", s, 254); err != nil {
		return "", err
	}

	return s, nil
}
