package smsparse

import (
	"regexp"
	"slices"
	"strings"
)

// asciiLower lower-cases ASCII letters only, so that every byte offset in the
// result is the same as in s and a match in one slices the other.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}

	if i == len(s) {
		return s
	}

	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}

	return string(b)
}

// indexWord returns the offset of the first occurrence of w in s that starts
// and ends at word boundaries, or -1. A boundary is where a letter or digit
// meets anything else.
func indexWord(s, w string) int {
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return -1
		}

		i += off
		end := i + len(w)

		if (i == 0 || !isAlnum(s[i-1]) || !isAlnum(w[0])) &&
			(end == len(s) || !isAlnum(s[end]) || !isAlnum(w[len(w)-1])) {
			return i
		}

		off = i + 1
	}

	return -1
}

// firstWord returns the earliest offset at which any of words occurs as a
// word, and the word, or -1.
func firstWord(s string, words []string) (int, string) {
	best, which := -1, ""

	for _, w := range words {
		limit := s
		if best >= 0 {
			limit = s[:min(len(s), best+len(w))]
		}

		if i := indexWord(limit, w); i >= 0 && (best < 0 || i < best) {
			best, which = i, w
		}
	}

	return best, which
}

// containsAny reports whether s contains any of the substrings.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}

	return false
}

func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

// anchored is a pattern that can only match where one of its keys starts a
// word. Trying the pattern, anchored with ^, at those places alone is much
// faster than letting the regexp engine try every byte of the message.
type anchored struct {
	keys []string
	re   *regexp.Regexp
}

// find returns the submatch indices, relative to s, of up to limit
// non-overlapping matches, leftmost first.
func (a anchored) find(s string, limit int) [][]int {
	var out [][]int

	for _, p := range a.starts(s) {
		if len(out) > 0 && p < out[len(out)-1][1] {
			continue
		}

		idx := a.re.FindStringSubmatchIndex(s[p:])
		if idx == nil {
			continue
		}

		for k := range idx {
			if idx[k] >= 0 {
				idx[k] += p
			}
		}

		if out = append(out, idx); len(out) == limit {
			break
		}
	}

	return out
}

// starts returns the sorted offsets where a key starts at a word boundary.
func (a anchored) starts(s string) []int {
	var pos []int

	for _, k := range a.keys {
		for off := 0; ; {
			i := strings.Index(s[off:], k)
			if i < 0 {
				break
			}

			i += off
			off = i + 1

			if i == 0 || !isAlnum(s[i-1]) || !isAlnum(k[0]) {
				pos = append(pos, i)
			}
		}
	}

	slices.Sort(pos)

	return slices.Compact(pos)
}

// hasWord reports whether any of words occurs in s as a word.
func hasWord(s string, words ...string) bool {
	for _, w := range words {
		if indexWord(s, w) >= 0 {
			return true
		}
	}

	return false
}
