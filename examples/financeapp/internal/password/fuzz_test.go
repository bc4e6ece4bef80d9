package password

import (
	"errors"
	"testing"
)

// FuzzVerify feeds arbitrary stored hashes to Verify: it never panics, and
// anything but a matching argon2id hash is refused with ErrMalformed or
// ErrMismatch.
func FuzzVerify(f *testing.F) {
	good, err := Hash("fuzzing password", fast)
	if err != nil {
		f.Fatal(err)
	}

	f.Add(good)
	f.Add("$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5")
	f.Add("$2a$10$abcdefghijklmnopqrstuv")

	f.Fuzz(func(t *testing.T, phc string) {
		_, err := Verify("fuzzing password", phc, fast)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrMismatch) {
			t.Fatalf("Verify(%q) = %v", phc, err)
		}

		if err == nil && phc != good {
			// Another encoding of the same key and salt is fine; anything
			// else verifying would be a forgery.
			if _, _, _, perr := parse(phc); perr != nil {
				t.Fatalf("Verify accepted a malformed hash %q", phc)
			}
		}
	})
}
