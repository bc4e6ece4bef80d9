package falco

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
)

// Secret is a shared bearer secret. It cannot be compared with ==, and it
// prints, formats and logs as "[redacted]".
type Secret struct {
	_     [0]func()
	value string
}

// NewSecret returns s as a Secret.
func NewSecret(s string) Secret {
	return Secret{value: s}
}

// IsZero reports whether no secret was set.
func (s Secret) IsZero() bool {
	return s.value == ""
}

// Equal reports whether presented is the secret, in constant time (neither
// the content nor the length of the secret leaks through timing).
func (s Secret) Equal(presented string) bool {
	if s.value == "" {
		return false
	}

	want := sha256.Sum256([]byte(s.value))
	got := sha256.Sum256([]byte(presented))

	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// String returns "[redacted]".
func (Secret) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (Secret) GoString() string { return "[redacted]" }

// LogValue returns "[redacted]".
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText returns "[redacted]", so that a Secret in a configuration
// dump never shows its value.
func (Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }
