package smsparse

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// IST is India Standard Time, the zone that Indian banks write their dates in.
// It is a fixed zone, so that parsing needs no time zone database.
var IST = time.FixedZone("IST", 5*3600+1800)

// timeOfDay reads a time after a date: "10:32:51", "09:43 PM", "at 21:38:26".
var timeOfDay = regexp.MustCompile(
	`^[ ,]*(?:at )?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?: ?([ap]\.?m\.?))?`)

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

// dateMatch is a date found in a message.
type dateMatch struct {
	t       time.Time
	hasTime bool
	raw     string
	start   int
}

// findDate returns the earliest valid date in text, with a time of day when one
// follows it; lower is text with ASCII letters lower-cased. The layouts are
// those banks use, numeric ones day first as in India: 20-Oct-25,
// 30-MAR-2026, 13Sep25, 18AUG2024, 20 Oct 2025, 3rd Dec 2025, 01/01/26,
// 20.10.2025, 2025-10-20, March 19, 2025. Impossible dates such as 31-02-2025
// are skipped.
func findDate(text, lower string, loc *time.Location) (dateMatch, bool) {
	for i := 0; i < len(lower); i++ {
		if i > 0 && isAlnum(lower[i-1]) {
			continue
		}

		y, mon, d, end, ok := dateAt(lower, i)
		if !ok || !validDay(y, mon, d) {
			continue
		}

		h, mi, sec, tlen, hasTime := clock(lower[end:])
		t := time.Date(y, mon, d, h, mi, sec, 0, loc)

		return dateMatch{t: t, hasTime: hasTime, raw: text[i : end+tlen], start: i}, true
	}

	return dateMatch{}, false
}

// dateAt reads a date that starts at lower[i], a word start.
func dateAt(s string, i int) (y int, mon time.Month, d, end int, ok bool) {
	if isLetter(s[i]) {
		return monthFirst(s, i)
	}

	n, j := digits(s, i, 4)
	switch {
	case j-i == 4:
		return yearFirst(s, n, j)
	case j-i == 0 || j-i == 3:
		return 0, 0, 0, 0, false
	}

	j = skipOrdinal(s, j)
	if j < len(s) && isDigit(s[j]) {
		return 0, 0, 0, 0, false
	}

	numericSep := j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.')
	if numericSep && j+1 < len(s) && isDigit(s[j+1]) {
		return dayMonthYear(s, n, j)
	}

	if numericSep || (j < len(s) && s[j] == ' ') {
		j++
	}

	return dayNamedMonth(s, n, j)
}

// yearFirst reads the rest of 2025-10-20 or 2025/10/20 after the year.
func yearFirst(s string, y, j int) (int, time.Month, int, int, bool) {
	if j >= len(s) || (s[j] != '-' && s[j] != '/') {
		return 0, 0, 0, 0, false
	}

	sep := s[j]
	m, k := digits(s, j+1, 2)
	if k == j+1 || k >= len(s) || s[k] != sep {
		return 0, 0, 0, 0, false
	}

	d, e := digits(s, k+1, 2)
	if e == k+1 || (e < len(s) && isAlnum(s[e])) {
		return 0, 0, 0, 0, false
	}

	return y, time.Month(m), d, e, true
}

// dayMonthYear reads the rest of 20-10-2025, 01/01/26 or 20.10.2025.
func dayMonthYear(s string, d, j int) (int, time.Month, int, int, bool) {
	sep := s[j]
	m, k := digits(s, j+1, 2)
	if k >= len(s) || s[k] != sep {
		return 0, 0, 0, 0, false
	}

	y, e, ok := yearDigits(s, k+1)

	return y, time.Month(m), d, e, ok
}

// dayNamedMonth reads the month and year of 20-Oct-25, 13Sep25 or 20 Oct 2025.
func dayNamedMonth(s string, d, j int) (int, time.Month, int, int, bool) {
	mon, k := monthName(s, j)
	if mon == 0 {
		return 0, 0, 0, 0, false
	}

	for k < len(s) && (s[k] == '-' || s[k] == '/' || s[k] == ' ' || s[k] == '.' || s[k] == ',') {
		k++
	}

	y, e, ok := yearDigits(s, k)

	return y, mon, d, e, ok
}

// monthFirst reads March 19, 2025 or Oct 20 2025.
func monthFirst(s string, i int) (int, time.Month, int, int, bool) {
	mon, j := monthName(s, i)
	if mon == 0 {
		return 0, 0, 0, 0, false
	}

	if j < len(s) && s[j] == '.' {
		j++
	}

	if j >= len(s) || s[j] != ' ' {
		return 0, 0, 0, 0, false
	}

	d, k := digits(s, j+1, 2)
	if k == j+1 {
		return 0, 0, 0, 0, false
	}

	k = skipOrdinal(s, k)
	if k < len(s) && s[k] == ',' {
		k++
	}

	if k >= len(s) || s[k] != ' ' {
		return 0, 0, 0, 0, false
	}

	y, e, ok := yearDigits(s, k+1)
	if !ok || e-(k+1) != 4 {
		return 0, 0, 0, 0, false
	}

	return y, mon, d, e, true
}

// monthName reads a month's name or abbreviation at s[i:].
func monthName(s string, i int) (time.Month, int) {
	j := i
	for j < len(s) && isLetter(s[j]) && j-i < 10 {
		j++
	}

	if j-i < 3 || j-i > 9 || !strings.ContainsRune("jfmasond", rune(s[i])) {
		return 0, j
	}

	return months[s[i:j]], j
}

// yearDigits reads a year of two or four digits ending at a word boundary.
func yearDigits(s string, i int) (int, int, bool) {
	y, e := digits(s, i, 4)
	if (e-i != 2 && e-i != 4) || (e < len(s) && isAlnum(s[e])) {
		return 0, 0, false
	}

	if e-i == 2 {
		y += 2000
	}

	return y, e, true
}

// digits reads up to max digits at s[i:] and returns their value and end.
func digits(s string, i, max int) (int, int) {
	n, j := 0, i
	for j < len(s) && isDigit(s[j]) && j-i < max {
		n = n*10 + int(s[j]-'0')
		j++
	}

	return n, j
}

// skipOrdinal skips "st", "nd", "rd" or "th" after a day.
func skipOrdinal(s string, j int) int {
	if j+2 <= len(s) {
		switch s[j : j+2] {
		case "st", "nd", "rd", "th":
			if j+2 == len(s) || !isLetter(s[j+2]) {
				return j + 2
			}
		}
	}

	return j
}

func validDay(y int, mon time.Month, d int) bool {
	if y < 1990 || y > 2099 || mon < 1 || mon > 12 || d < 1 {
		return false
	}

	return time.Date(y, mon, d, 0, 0, 0, 0, time.UTC).Day() == d
}

// clock reads a time of day at the start of s, returning its length in s.
func clock(s string) (h, m, sec, n int, ok bool) {
	idx := timeOfDay.FindStringSubmatchIndex(s)
	if idx == nil {
		return 0, 0, 0, 0, false
	}

	field := func(k int) string {
		if idx[2*k] < 0 {
			return ""
		}

		return s[idx[2*k]:idx[2*k+1]]
	}

	h, m, sec = atoi(field(1)), atoi(field(2)), atoi(field(3))

	switch strings.ReplaceAll(field(4), ".", "") {
	case "pm":
		if h < 12 {
			h += 12
		}
	case "am":
		if h == 12 {
			h = 0
		}
	}

	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, 0, 0, false
	}

	return h, m, sec, idx[1], true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)

	return n
}
