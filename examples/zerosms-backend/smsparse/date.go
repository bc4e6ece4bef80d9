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

// The date layouts banks use. Numeric dates are day first, as in India.
var (
	// 20-Oct-25, 30-MAR-2026, 13Sep25, 18AUG2024, 20 Oct 2025, 3rd Jan 2026.
	dateDMonY = regexp.MustCompile(
		`(?i)\b(\d{1,2})(?:st|nd|rd|th)?[-/ .]?([a-z]{3,9})[-/ .,]*(\d{4}|\d{2})\b`)

	// 20-10-2025, 01/01/26, 20.10.2025.
	dateDMY = regexp.MustCompile(`\b(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})\b`)

	// 2025-10-20, 2025/10/20.
	dateYMD = regexp.MustCompile(`\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b`)

	// March 19, 2025; Oct 20 2025.
	dateMonDY = regexp.MustCompile(`(?i)\b([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b`)

	// 10:32:51, 09:43 PM, at 21:38:26, 11.45.
	timeOfDay = regexp.MustCompile(`(?i)^[ ,]*(?:at )?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?: ?([ap]\.?m\.?))?`)
)

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

// findDate returns the earliest valid date in s, with a time of day when one
// follows it. Impossible dates such as 31-02-2025 are skipped.
func findDate(s string, loc *time.Location) (dateMatch, bool) {
	var best dateMatch

	found := false
	try := func(d dateMatch, ok bool) {
		if ok && (!found || d.start < best.start) {
			best, found = d, true
		}
	}

	try(firstDate(s, dateDMonY, loc, fromDMonY))
	try(firstDate(s, dateDMY, loc, fromDMY))
	try(firstDate(s, dateYMD, loc, fromYMD))
	try(firstDate(s, dateMonDY, loc, fromMonDY))

	return best, found
}

type dateFields func(m []string) (y int, mon time.Month, d int, ok bool)

func firstDate(s string, re *regexp.Regexp, loc *time.Location, f dateFields) (dateMatch, bool) {
	for _, idx := range re.FindAllStringSubmatchIndex(s, 4) {
		m := submatches(s, idx)

		y, mon, d, ok := f(m)
		if !ok || !validDay(y, mon, d) {
			continue
		}

		end := idx[1]
		h, mi, sec, tlen, hasTime := clock(s[end:])
		t := time.Date(y, mon, d, h, mi, sec, 0, loc)

		return dateMatch{t: t, hasTime: hasTime, raw: s[idx[0] : end+tlen], start: idx[0]}, true
	}

	return dateMatch{}, false
}

func submatches(s string, idx []int) []string {
	m := make([]string, len(idx)/2)
	for i := range m {
		if idx[2*i] >= 0 {
			m[i] = s[idx[2*i]:idx[2*i+1]]
		}
	}

	return m
}

func fromDMonY(m []string) (int, time.Month, int, bool) {
	mon, ok := months[strings.ToLower(m[2])]

	return year(m[3]), mon, atoi(m[1]), ok
}

func fromDMY(m []string) (int, time.Month, int, bool) {
	if m[2] != m[4] {
		return 0, 0, 0, false
	}

	return year(m[5]), time.Month(atoi(m[3])), atoi(m[1]), true
}

func fromYMD(m []string) (int, time.Month, int, bool) {
	return atoi(m[1]), time.Month(atoi(m[2])), atoi(m[3]), true
}

func fromMonDY(m []string) (int, time.Month, int, bool) {
	mon, ok := months[strings.ToLower(m[1])]

	return atoi(m[3]), mon, atoi(m[2]), ok
}

// year expands a two-digit year into this century.
func year(s string) int {
	y := atoi(s)
	if len(s) == 2 {
		y += 2000
	}

	return y
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

	f := submatches(s, idx)
	h, m, sec = atoi(f[1]), atoi(f[2]), atoi(f[3])

	switch strings.ToLower(strings.ReplaceAll(f[4], ".", "")) {
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
