package audit

import (
	"regexp"
	"strings"
)

// Redacted replaces an attribute value that Scrub judged secret.
const Redacted = "[redacted]"

// secretKeys are substrings of attribute keys whose values are secrets.
var secretKeys = []string{
	"password", "passwd", "secret", "token", "authorization", "cookie",
	"api_key", "apikey", "private", "credential", "otp", "pin", "session_key",
	"dpop", "signature",
}

// secretValue matches values that look like credentials whatever their key:
// compact JWS/JWE, bearer and basic authorization values, PEM blocks.
var secretValue = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.` +
	`|\b(Bearer|bearer|BEARER|Basic|basic|BASIC|DPoP|dpop|DPOP)\s+[A-Za-z0-9._~+/=-]{8,}` +
	`|-----BEGIN [A-Z ]*PRIVATE KEY-----`)

// Scrub returns e with secrets removed from its free-form fields: attribute
// values whose key names a secret (password, token, cookie and the like) and
// any attribute or user-agent value that looks like a token, an authorization
// header or a private key are replaced with Redacted. The typed fields of an
// Event carry identifiers, never secrets, and are kept as they are.
//
// A Pipeline scrubs every event before any sink sees it. Scrub does not modify
// e's Attributes map; it copies it when something must change.
func Scrub(e Event) Event {
	if mayHoldSecret(e.UserAgent) && secretValue.MatchString(e.UserAgent) {
		e.UserAgent = Redacted
	}

	if len(e.Attributes) == 0 || !needsScrub(e.Attributes) {
		return e
	}

	clean := make(map[string]string, len(e.Attributes))
	for k, v := range e.Attributes {
		if isSecret(k, v) {
			v = Redacted
		}

		clean[k] = v
	}

	e.Attributes = clean

	return e
}

func needsScrub(attrs map[string]string) bool {
	for k, v := range attrs {
		if isSecret(k, v) {
			return true
		}
	}

	return false
}

func isSecret(key, value string) bool {
	lower := strings.ToLower(key)
	for _, s := range secretKeys {
		if strings.Contains(lower, s) {
			return true
		}
	}

	return mayHoldSecret(value) && secretValue.MatchString(value)
}

// secretHints are fragments that every match of secretValue contains in one
// of these spellings; checking them first keeps the common case cheap.
var secretHints = []string{
	"eyJ", "-----BEGIN", "earer", "EARER", "asic", "ASIC", "pop", "PoP", "POP",
}

func mayHoldSecret(s string) bool {
	for _, h := range secretHints {
		if strings.Contains(s, h) {
			return true
		}
	}

	return false
}
