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

func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

// anchored is a pattern that can only match where one of its keys starts a
// word. Trying the pattern, anchored with ^, at those places alone, on a
// window of the text no longer than any match can be, is much faster than
// letting the regexp engine try every byte of the message.
type anchored struct {
	keys []string
	re   *regexp.Regexp

	// needs, when set, names phrases one of which the message must contain
	// for the pattern to be worth trying at all.
	needs []string
}

// find returns the submatch indices, relative to the message, of up to limit
// non-overlapping matches, leftmost first.
func (a anchored) find(m *message, limit int) [][]int {
	if len(a.needs) > 0 && !m.containsAny(a.needs) {
		return nil
	}

	var out [][]int

	s := m.lower
	for _, p := range a.starts(m) {
		if len(out) > 0 && p < out[len(out)-1][1] {
			continue
		}

		idx := a.re.FindStringSubmatchIndex(s[p:min(len(s), p+matchWindow)])
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

// matchWindow bounds the text an anchored pattern sees. Every pattern matches
// at most about 130 bytes (a keyword, up to 80 bytes of filler and a name of up
// to 60); a pattern that ends at the end of the text can, when the text is
// longer than the window, end at the window's end instead, which only shortens
// a name.
const matchWindow = 160

// starts returns the sorted offsets where a key starts at a word boundary.
func (a anchored) starts(m *message) []int {
	var pos []int

	s := m.lower
	for _, k := range a.keys {
		if !m.mayStart(k) {
			continue
		}

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

// message is a lower-cased message with a set of the prefixes of its words,
// which lets most keyword searches be skipped: a keyword whose first bytes
// start no word of the message cannot occur in it at a word start.
type message struct {
	lower string
	set   prefixSet
}

// init sets the message to lower and fills its prefix set.
func (m *message) init(lower string) {
	m.lower = lower

	for i := 0; i < len(lower); {
		if !isAlnum(lower[i]) {
			i++

			continue
		}

		j := i
		for j < len(lower) && isAlnum(lower[j]) {
			j++
		}

		for n := 1; n <= min(3, j-i); n++ {
			m.set.add(lower[i : i+n])
		}

		i = j
	}
}

// mayStart reports whether a keyword can occur at a word start: false only
// when no word begins with the keyword's first (up to three) letters or digits.
// A keyword that starts with anything else may always occur.
func (m *message) mayStart(key string) bool {
	n := 0
	for n < len(key) && n < 3 && isAlnum(key[n]) {
		n++
	}

	return n == 0 || m.set.has(key[:n])
}

// containsAny reports whether any of subs occurs starting at a word start.
func (m *message) containsAny(subs []string) bool {
	for _, sub := range subs {
		if m.mayStart(sub) && strings.Contains(m.lower, sub) {
			return true
		}
	}

	return false
}

// firstWord returns the earliest offset at which any of words occurs as a
// word in the message, and the word, or -1.
func (m *message) firstWord(words []string) (int, string) {
	best, which := -1, ""

	for _, w := range words {
		if !m.mayStart(w) {
			continue
		}

		limit := m.lower
		if best >= 0 {
			limit = m.lower[:min(len(m.lower), best+len(w))]
		}

		if i := indexWord(limit, w); i >= 0 && (best < 0 || i < best) {
			best, which = i, w
		}
	}

	return best, which
}

// hasWord reports whether any of words occurs in the message as a word.
func (m *message) hasWord(words ...string) bool {
	for _, w := range words {
		if m.mayStart(w) && indexWord(m.lower, w) >= 0 {
			return true
		}
	}

	return false
}

// prefixSet is a small open-addressing set of the hashes of short strings,
// kept in the message rather than allocated. When it fills up it answers yes
// to everything, which only costs speed.
type prefixSet struct {
	slots [256]uint64
	n     int
}

func prefixHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}

	return h | 1
}

func (p *prefixSet) add(s string) {
	if p.n >= len(p.slots)*3/4 {
		return
	}

	h := prefixHash(s)
	i := h % uint64(len(p.slots))

	for p.slots[i] != 0 {
		if p.slots[i] == h {
			return
		}

		i = (i + 1) % uint64(len(p.slots))
	}

	p.slots[i] = h
	p.n++
}

func (p *prefixSet) has(s string) bool {
	if p.n >= len(p.slots)*3/4 {
		return true
	}

	h := prefixHash(s)
	for i := h % uint64(len(p.slots)); p.slots[i] != 0; i = (i + 1) % uint64(len(p.slots)) {
		if p.slots[i] == h {
			return true
		}
	}

	return false
}
