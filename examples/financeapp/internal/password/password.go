// Package password hashes and verifies passwords with argon2id
// (golang.org/x/crypto/argon2), stored as PHC strings:
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>
//
// The parameters follow OWASP's password storage guidance for argon2id
// (at least 19 MiB, 2 passes, 1 lane); the defaults here are stronger: 64 MiB,
// 3 passes, 2 lanes, a 16-byte random salt and a 32-byte key. They cost about
// 60 ms on a 2-core machine. A stored hash made with weaker parameters verifies
// and reports that it needs a rehash, so that sign-in can upgrade it; one
// asking for more than 256 MiB or 20 passes is refused as malformed, so that
// a planted hash cannot exhaust memory.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Errors that callers branch on.
var (
	// ErrMismatch means the password does not match the hash.
	ErrMismatch = errors.New("password: mismatch")

	// ErrMalformed means the stored hash is not an argon2id PHC string.
	ErrMalformed = errors.New("password: malformed hash")

	// ErrPolicy means a new password does not meet the length rules.
	ErrPolicy = errors.New("password: must be 12 to 128 characters")
)

// Params are argon2id cost parameters.
type Params struct {
	// Memory is in KiB.
	Memory uint32

	// Time is the number of passes.
	Time uint32

	// Threads is the degree of parallelism (lanes).
	Threads uint8
}

// Default is the cost used for new hashes.
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
)

// Check applies the length rules to a new password (ASVS 2.1.1, 2.1.2): 12 to
// 128 characters, any characters allowed.
func Check(pw string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || n < 12 || n > 128 {
		return ErrPolicy
	}

	return nil
}

// Hash returns the PHC string of pw under p.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}

	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding

	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string in constant time. It returns whether
// the hash should be replaced because its parameters are weaker than want.
func Verify(pw, phc string, want Params) (needsRehash bool, err error) {
	p, salt, key, err := parse(phc)
	if err != nil {
		return false, err
	}

	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, ErrMismatch
	}

	return p.Memory < want.Memory || p.Time < want.Time || p.Threads < want.Threads, nil
}

func parse(phc string) (Params, []byte, []byte, error) {
	var (
		p Params
		v int
	)

	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}

	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformed
	}

	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads)
	if err != nil || p.Memory < 8*1024 || p.Memory > 256*1024 || p.Time < 1 || p.Time > 20 ||
		p.Threads < 1 {
		return p, nil, nil, ErrMalformed
	}

	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, ErrMalformed
	}

	return p, salt, key, nil
}
