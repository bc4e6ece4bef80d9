package token

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// errJSON is the cause of every refusal by the strict JSON scanner.
var errJSON = errors.New("token: invalid JSON")

// maxJSONDepth bounds the nesting of JSON values in a token.
const maxJSONDepth = 32

// scanObject checks that data is exactly one JSON object, valid UTF-8, with no
// duplicate member names at any depth, and calls fn with each top-level member's
// name and raw value. Unlike encoding/json, it neither lets a later duplicate win
// nor matches names case-insensitively, so what it reports is what the signer
// signed.
func scanObject(data []byte, fn func(name string, value []byte) error) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: not UTF-8", errJSON)
	}

	s := scanner{data: data}
	s.skipSpace()

	if s.peek() != '{' {
		return fmt.Errorf("%w: not an object", errJSON)
	}

	if err := s.object(0, fn); err != nil {
		return err
	}

	s.skipSpace()
	if s.pos != len(s.data) {
		return fmt.Errorf("%w: trailing data", errJSON)
	}

	return nil
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}

	return 0
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errJSON, what, s.pos)
}

// object scans an object starting at '{'; fn, when not nil, receives its members.
func (s *scanner) object(depth int, fn func(string, []byte) error) error {
	if depth > maxJSONDepth {
		return s.fail("nesting too deep")
	}

	s.pos++ // '{'
	s.skipSpace()

	if s.peek() == '}' {
		s.pos++
		return nil
	}

	var names []string
	for {
		name, err := s.name()
		if err != nil {
			return err
		}

		for _, seen := range names {
			if seen == name {
				return fmt.Errorf("%w: duplicate member %q", errJSON, name)
			}
		}
		names = append(names, name)

		s.skipSpace()
		if s.peek() != ':' {
			return s.fail("expected ':'")
		}
		s.pos++
		s.skipSpace()

		start := s.pos
		if err := s.value(depth + 1); err != nil {
			return err
		}

		if fn != nil {
			if err := fn(name, s.data[start:s.pos]); err != nil {
				return err
			}
		}

		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

// name scans a member name and returns it unescaped.
func (s *scanner) name() (string, error) {
	if s.peek() != '"' {
		return "", s.fail("expected member name")
	}

	start := s.pos
	escaped, err := s.str()
	if err != nil {
		return "", err
	}

	raw := s.data[start:s.pos]
	if !escaped {
		return string(raw[1 : len(raw)-1]), nil
	}

	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return "", fmt.Errorf("%w: %w", errJSON, err)
	}

	return name, nil
}

// str scans a string starting at '"' and reports whether it held escapes.
func (s *scanner) str() (bool, error) {
	s.pos++ // '"'
	escaped := false

	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c < 0x20:
			return false, s.fail("control character in string")
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return false, err
			}
		default:
			s.pos++
		}
	}

	return false, s.fail("unterminated string")
}

func (s *scanner) escape() error {
	s.pos++ // '\\'
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		if s.pos+5 > len(s.data) {
			return s.fail("short unicode escape")
		}

		for _, h := range s.data[s.pos+1 : s.pos+5] {
			if !isHex(h) {
				return s.fail("bad unicode escape")
			}
		}
		s.pos += 5

		return nil
	default:
		return s.fail("bad escape")
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (s *scanner) value(depth int) error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(depth, nil)
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	default:
		return s.literal()
	}
}

func (s *scanner) array(depth int) error {
	if depth > maxJSONDepth {
		return s.fail("nesting too deep")
	}

	s.pos++ // '['
	s.skipSpace()

	if s.peek() == ']' {
		s.pos++
		return nil
	}

	for {
		if err := s.value(depth + 1); err != nil {
			return err
		}

		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

func (s *scanner) literal() error {
	for _, lit := range [...]string{"true", "false", "null"} {
		end := s.pos + len(lit)
		if end <= len(s.data) && string(s.data[s.pos:end]) == lit {
			s.pos = end
			return nil
		}
	}

	return s.fail("unexpected character")
}

// number scans a JSON number with the grammar of RFC 8259.
func (s *scanner) number() error {
	if s.peek() == '-' {
		s.pos++
	}

	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return s.fail("bad number")
	}

	if s.peek() == '.' {
		s.pos++
		if !s.digits() {
			return s.fail("bad fraction")
		}
	}

	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}

		if !s.digits() {
			return s.fail("bad exponent")
		}
	}

	return nil
}

func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}

	return s.pos > start
}

// jsonString decodes a raw JSON value that must be a string.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}

	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' {
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err == nil
		}
	}

	return string(inner), true
}
