package smsparse

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Money is an amount in integer minor units of a currency: paise for INR, cents
// for USD, and so on. Amounts never pass through floating point.
type Money struct {
	// Minor is the amount in minor units of Currency.
	Minor int64 `json:"minor"`

	// Currency is the ISO 4217 code, for example "INR".
	Currency string `json:"currency"`
}

// String formats the amount with its currency and the currency's decimal places,
// for example "INR 1500.00".
func (m Money) String() string {
	exp := minorExponent(m.Currency)
	s := strconv.FormatInt(abs(m.Minor), 10)

	if exp > 0 {
		for len(s) <= exp {
			s = "0" + s
		}

		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}

	if m.Minor < 0 {
		s = "-" + s
	}

	return m.Currency + " " + s
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}

	return v
}

// maxMinor bounds a parsed amount; no bank SMS carries more than a few trillion
// rupees, and the bound keeps every sum of two amounts inside int64.
const maxMinor = 1 << 60

// minorExponent returns the number of decimal places of a currency's minor unit.
func minorExponent(currency string) int {
	switch currency {
	case "JPY", "KRW", "VND", "IDR", "CLP", "ISK", "HUF":
		return 0
	case "KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD":
		return 3
	default:
		return 2
	}
}

// isoCurrencies are the codes recognised before an amount besides INR. They are
// the currencies Indian cards are commonly charged in.
var isoCurrencies = map[string]bool{
	"USD": true, "EUR": true, "GBP": true, "AED": true, "SGD": true, "JPY": true,
	"AUD": true, "CAD": true, "CHF": true, "CNY": true, "HKD": true, "SAR": true,
	"QAR": true, "KWD": true, "BHD": true, "OMR": true, "THB": true, "MYR": true,
	"NZD": true, "ZAR": true, "LKR": true, "NPR": true, "BDT": true, "SEK": true,
	"NOK": true, "DKK": true, "KRW": true, "IDR": true, "VND": true, "PHP": true,
	"TRY": true, "RUB": true, "HUF": true, "PLN": true, "CZK": true, "ILS": true,
	"EGP": true, "MXN": true, "BRL": true, "TWD": true, "JOD": true,
}

// amountAt is one amount found in a message, with where it starts and ends.
type amountAt struct {
	money      Money
	start, end int
}

// scanAmounts finds every currency-marked amount in s, in order: "Rs.500",
// "Rs 1,00,000.00", "Rs..6", "INR 17,95,899.53", "₹50,000", "USD 11.80",
// "$12.5". A bare number is never an amount: banks always mark their amounts.
func scanAmounts(s string) []amountAt {
	var found []amountAt

	for i := 0; i < len(s); {
		cur, n := currencyAt(s, i)
		if n == 0 {
			i++ // a continuation byte starts no marker, so bytes will do

			continue
		}

		m, end, ok := numberAfter(s, i+n, cur)
		if !ok {
			i += n

			continue
		}

		found = append(found, amountAt{money: m, start: i, end: end})
		i = end
	}

	return found
}

// currencyAt reports the currency whose marker starts at s[i:] and the marker's
// length, or 0 when none does. Word markers need a word boundary before them.
func currencyAt(s string, i int) (string, int) {
	c := s[i]
	if c < utf8.RuneSelf && c != '$' && !isLetter(c) {
		return "", 0
	}

	switch {
	case strings.HasPrefix(s[i:], "₹"):
		return "INR", len("₹")
	case c == '$':
		return "USD", 1
	case strings.HasPrefix(s[i:], "€"):
		return "EUR", len("€")
	case strings.HasPrefix(s[i:], "£"):
		return "GBP", len("£")
	}

	if i > 0 && isWordByte(s[i-1]) {
		return "", 0
	}

	if len(s)-i >= 2 && (c == 'R' || c == 'r') && (s[i+1] == 's' || s[i+1] == 'S') {
		if len(s)-i == 2 || !isLetter(s[i+2]) {
			return "INR", 2
		}
	}

	if len(s)-i >= 3 && (len(s)-i == 3 || !isLetter(s[i+3])) {
		code := s[i : i+3]
		if strings.EqualFold(code, "INR") {
			return "INR", 3
		}

		if isUpper(code[0]) && isUpper(code[1]) && isUpper(code[2]) && isoCurrencies[code] {
			return code, 3
		}
	}

	return "", 0
}

// numberAfter reads the number that follows a currency marker ending at i:
// separators (spaces, dots, a colon), then digits with optional grouping commas
// and decimals. It returns the amount in minor units and where it ended.
func numberAfter(s string, i int, currency string) (Money, int, bool) {
	i = skipSeparators(s, i)

	start := i
	whole, frac, end, ok := readDecimal(s, i)
	if !ok || end == start {
		return Money{}, 0, false
	}

	exp := minorExponent(currency)
	if len(frac) > exp {
		return Money{}, 0, false
	}

	minor, ok := toMinor(whole, frac, exp)
	if !ok {
		return Money{}, 0, false
	}

	return Money{Minor: minor, Currency: currency}, end, true
}

// skipSeparators skips what banks put between a currency and its digits:
// "Rs.", "Rs..", "Rs: ", "INR ".
func skipSeparators(s string, i int) int {
	for n := 0; i < len(s) && n < 4; n++ {
		switch s[i] {
		case ' ', '.', ':', '\u00a0':
			i++
		default:
			return i
		}
	}

	return i
}

// readDecimal reads digits with grouping commas ("1,00,000" or "100,000") and an
// optional fraction. A comma is grouping only between digits; a dot is a decimal
// point only when a digit follows it.
func readDecimal(s string, i int) (whole, frac string, end int, ok bool) {
	var b strings.Builder

	for i < len(s) {
		c := s[i]
		if isDigit(c) {
			b.WriteByte(c)
			i++

			continue
		}

		if c == ',' && b.Len() > 0 && i+1 < len(s) && isDigit(s[i+1]) {
			i++

			continue
		}

		break
	}

	if b.Len() == 0 {
		return "", "", i, false
	}

	whole = b.String()
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}

		frac, i = s[i+1:j], j
	}

	return whole, frac, i, true
}

// toMinor combines whole and fractional digits into minor units, refusing
// amounts beyond maxMinor.
func toMinor(whole, frac string, exp int) (int64, bool) {
	for len(frac) < exp {
		frac += "0"
	}

	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, true
	}

	if len(digits) > 18 {
		return 0, false
	}

	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v > maxMinor {
		return 0, false
	}

	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isWordByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }
