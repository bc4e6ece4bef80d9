package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// errJSON is the cause of every refusal by the strict JSON scanner.
var errJSON = errors.New("token: invalid JSON")

// maxJSONDepth bounds the nesting of JSON values in a token.
const maxJSONDepth = 32

// member is one top-level member of a scanned object: its name and where its
// raw value lies in the scanned data. Offsets rather than a slice keep the
// data on the caller's stack.
type member struct {
	name       string
	start, end int
}

// maxMembers bounds the top-level members scanObject records.
const maxMembers = 16

// scanObject checks that data is exactly one JSON object, valid UTF-8, with no
// duplicate member names at any depth. When members has capacity, it appends
// the top-level members to it (at most its capacity, refusing more) and
// returns it. Unlike encoding/json, it neither lets a later duplicate win nor
// matches names case-insensitively, so what it reports is what the signer
// signed.
func scanObject(data []byte, members []member) ([]member, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", errJSON)
	}

	s := scanner{data: data, members: members, record: cap(members) > 0}
	s.skipSpace()

	if s.peek() != '{' {
		return nil, fmt.Errorf("%w: not an object", errJSON)
	}

	if _, err := s.object(0); err != nil {
		return nil, err
	}

	return s.members, s.end()
}

// decodeObject is scanObject that also decodes the object, as encoding/json
// would into a map[string]any (numbers become float64), in a single pass.
func decodeObject(data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", errJSON)
	}

	s := scanner{data: data, build: true}
	s.skipSpace()

	if s.peek() != '{' {
		return nil, fmt.Errorf("%w: not an object", errJSON)
	}

	m, err := s.object(0)
	if err != nil {
		return nil, err
	}

	return m, s.end()
}

func (s *scanner) end() error {
	s.skipSpace()
	if s.pos != len(s.data) {
		return fmt.Errorf("%w: trailing data", errJSON)
	}

	return nil
}

type scanner struct {
	data []byte
	pos  int

	// build makes the scan return decoded values; without it, values are
	// checked and skipped.
	build bool

	// record makes the scan append the top-level members to members.
	record  bool
	members []member
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

// object scans an object starting at '{', and records its members when it is
// the top-level one. It returns the decoded object when s.build is set.
func (s *scanner) object(depth int) (map[string]any, error) {
	if depth > maxJSONDepth {
		return nil, s.fail("nesting too deep")
	}

	s.pos++ // '{'
	s.skipSpace()

	var m map[string]any
	if s.build {
		hint := 0
		if depth == 0 {
			hint = 16
		}
		m = make(map[string]any, hint)
	}

	if s.peek() == '}' {
		s.pos++
		return m, nil
	}

	var seen [16]string
	names := seen[:0]
	for {
		name, err := s.member(names)
		if err != nil {
			return nil, err
		}
		names = append(names, name)

		start := s.pos
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}

		if m != nil {
			m[name] = v
		}

		if s.record && depth == 0 {
			if len(s.members) == cap(s.members) {
				return nil, s.fail("too many members")
			}
			// Grow within capacity rather than append, so that escape
			// analysis keeps the caller's arrays on its stack.
			s.members = s.members[:len(s.members)+1]
			s.members[len(s.members)-1] = member{name, start, s.pos}
		}

		if done, err := s.next('}'); done || err != nil {
			return m, err
		}
	}
}

// member scans a member name and its colon, refusing a name already in names.
func (s *scanner) member(names []string) (string, error) {
	name, err := s.name()
	if err != nil {
		return "", err
	}

	for _, seen := range names {
		if seen == name {
			return "", fmt.Errorf("%w: duplicate member %q", errJSON, name)
		}
	}

	s.skipSpace()
	if s.peek() != ':' {
		return "", s.fail("expected ':'")
	}
	s.pos++
	s.skipSpace()

	return name, nil
}

// next consumes the ',' between elements or the closing byte, reporting
// whether the container ended.
func (s *scanner) next(closing byte) (bool, error) {
	s.skipSpace()

	switch s.peek() {
	case ',':
		s.pos++
		s.skipSpace()
		return false, nil
	case closing:
		s.pos++
		return true, nil
	default:
		return true, s.fail("expected ',' or '" + string(closing) + "'")
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
		return intern(raw[1 : len(raw)-1]), nil
	}

	return unquote(raw)
}

// intern returns b as a string, without allocating for the member names and
// header values that tokens commonly carry.
func intern(b []byte) string {
	switch string(b) {
	case "iss":
		return "iss"
	case "sub":
		return "sub"
	case "aud":
		return "aud"
	case "exp":
		return "exp"
	case "nbf":
		return "nbf"
	case "iat":
		return "iat"
	case "jti":
		return "jti"
	case "client_id":
		return "client_id"
	case "scope":
		return "scope"
	case "sid":
		return "sid"
	case "roles":
		return "roles"
	case "auth_time":
		return "auth_time"
	case "amr":
		return "amr"
	case "cnf":
		return "cnf"
	case "jkt":
		return "jkt"
	case "alg":
		return "alg"
	case "kid":
		return "kid"
	case "typ":
		return "typ"
	case "ES256":
		return "ES256"
	case "EdDSA":
		return "EdDSA"
	case "RS256":
		return "RS256"
	case "PS256":
		return "PS256"
	case "at+jwt":
		return "at+jwt"
	default:
		return string(b)
	}
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

// value scans one value, and decodes it when s.build is set.
func (s *scanner) value(depth int) (any, error) {
	switch c := s.peek(); {
	case c == '{':
		m, err := s.object(depth)
		if m == nil || err != nil {
			return nil, err
		}
		return m, nil
	case c == '[':
		return s.array(depth)
	case c == '"':
		return s.stringValue()
	case c == '-' || '0' <= c && c <= '9':
		return s.numberValue()
	default:
		return s.literal()
	}
}

func (s *scanner) stringValue() (any, error) {
	start := s.pos
	escaped, err := s.str()
	if err != nil || !s.build {
		return nil, err
	}

	raw := s.data[start:s.pos]
	if !escaped {
		return string(raw[1 : len(raw)-1]), nil
	}

	return unquote(raw)
}

func (s *scanner) numberValue() (any, error) {
	start := s.pos
	if err := s.number(); err != nil || !s.build {
		return nil, err
	}

	f, err := strconv.ParseFloat(string(s.data[start:s.pos]), 64)
	if err != nil {
		return nil, fmt.Errorf("%w: number out of range at offset %d", errJSON, start)
	}

	return f, nil
}

func (s *scanner) array(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, s.fail("nesting too deep")
	}

	s.pos++ // '['
	s.skipSpace()

	var list []any
	if s.build {
		list = []any{}
	}

	if s.peek() == ']' {
		s.pos++
		return list, nil
	}

	for {
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}

		if s.build {
			list = append(list, v)
		}

		if done, err := s.next(']'); done || err != nil {
			return list, err
		}
	}
}

var literals = [...]struct {
	text  string
	value any
}{{"true", true}, {"false", false}, {"null", nil}}

func (s *scanner) literal() (any, error) {
	for _, lit := range literals {
		end := s.pos + len(lit.text)
		if end <= len(s.data) && string(s.data[s.pos:end]) == lit.text {
			s.pos = end
			return lit.value, nil
		}
	}

	return nil, s.fail("unexpected character")
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
			s, err := unquote(raw)
			return s, err == nil
		}
	}

	return intern(inner), true
}

// unquote decodes a JSON string literal with escapes. It copies raw first, so
// that the scanned data, which callers keep on their stack, does not escape
// through encoding/json.
func unquote(raw []byte) (string, error) {
	var s string
	if err := json.Unmarshal(bytes.Clone(raw), &s); err != nil {
		return "", fmt.Errorf("%w: %w", errJSON, err)
	}

	return s, nil
}
