package password

import (
	"errors"
	"testing"
)

var fast = Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := Verify("correct horse battery", h, fast); err != nil {
		t.Fatalf("Verify(right) = %v", err)
	}

	if _, err := Verify("correct horse batterz", h, fast); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify(wrong) = %v, want ErrMismatch", err)
	}

	rehash, err := Verify("correct horse battery", h, Default)
	if err != nil || !rehash {
		t.Fatalf("Verify(weak params) = %v, %v; want rehash", rehash, err)
	}
}

func TestSaltIsRandom(t *testing.T) {
	a, _ := Hash("same password!!", fast)
	b, _ := Hash("same password!!", fast)

	if a == b {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestMalformed(t *testing.T) {
	for name, phc := range map[string]string{
		"empty":       "",
		"bcrypt":      "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":     "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"huge memory": "$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"bad base64":  "$argon2id$v=19$m=65536,t=3,p=2$!!!$!!!",
		"zero time":   "$argon2id$v=19$m=65536,t=0,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Verify("x", phc, Default); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                      false,
		"twelve chars":               true,
		"ünïcödé passwörd":           true,
		string(make([]byte, 129)):    false,
		"\xff\xfe invalid utf8 here": false,
	} {
		if err := Check(pw); (err == nil) != ok {
			t.Errorf("Check(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}
