package classify_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
)

// TestPersonalIsolation proves that one user's labels change that user's
// classifier only: not another user's, and not the shared model.
func TestPersonalIsolation(t *testing.T) {
	base, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}

	var before bytes.Buffer
	if err := base.Encode(&before); err != nil {
		t.Fatal(err)
	}

	p := classify.NewPersonal(base, classify.PersonalConfig{})

	// Alice's private message, which the shared model thinks is wanted.
	secret := "Team lunch moved to Friday at the usual place near the office"
	if base.IsSpam(secret) {
		t.Fatal("the shared model already flags the message")
	}

	for range 3 {
		if err := p.Label("alice", secret, true); err != nil {
			t.Fatal(err)
		}
	}

	if !p.IsSpam("alice", secret) {
		t.Errorf("alice's labels did not take: logit %.3f", p.Logit("alice", secret))
	}

	if got, want := p.Logit("bob", secret), base.Logit(secret); got != want {
		t.Errorf("bob's logit %v moved from the shared %v after alice's labels", got, want)
	}

	if err := p.Label("bob", "cheap loans call now", false); err != nil {
		t.Fatal(err)
	}

	alice := p.Logit("alice", secret)
	if err := p.Label("bob", secret, false); err != nil {
		t.Fatal(err)
	}

	if got := p.Logit("alice", secret); got != alice {
		t.Errorf("alice's logit moved from %v to %v after bob's labels", alice, got)
	}

	var after bytes.Buffer
	if err := base.Encode(&after); err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Error("per-user labels changed the shared model")
	}

	p.Forget("alice")
	if p.Labels("alice") != 0 || p.Logit("alice", secret) != base.Logit(secret) {
		t.Error("Forget left alice's labels behind")
	}
}

func TestPersonalBoundsLabels(t *testing.T) {
	base, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}

	p := classify.NewPersonal(base, classify.PersonalConfig{MaxLabels: 3})
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		if err := p.Label("u", s, false); err != nil {
			t.Fatal(err)
		}
	}

	if n := p.Labels("u"); n != 3 {
		t.Errorf("%d labels kept, want 3", n)
	}

	if err := p.Label("", "x", true); !errors.Is(err, classify.ErrNoUser) {
		t.Errorf("Label with no user = %v, want ErrNoUser", err)
	}
}

func TestPersonalConcurrentUse(t *testing.T) {
	base, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}

	p := classify.NewPersonal(base, classify.PersonalConfig{})

	var wg sync.WaitGroup
	for _, user := range []string{"a", "b", "c", "d"} {
		wg.Go(func() {
			for range 5 {
				if err := p.Label(user, "free prize call now", true); err != nil {
					t.Error(err)
				}

				_ = p.IsSpam(user, "free prize call now")
			}
		})
	}

	wg.Wait()
}
