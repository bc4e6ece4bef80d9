package pep_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

var bobGrant = pep.Grant{
	Subject: "bob", Action: "transactions.read", ResourceType: "transaction", Owner: "alice",
}

func TestUpdateIsTransactional(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, pep.Config{})
	bob := readTx(user("bob", "auditor"), "alice")
	rev := e.Revision()

	if d, _ := e.Decide(ctx, bob); d.Allow {
		t.Fatal("allowed before the grant")
	}

	boom := errors.New("boom")
	v, err := e.Update(ctx, func(tx *pep.Tx) error {
		tx.AddGrant(bobGrant)
		return boom
	})
	if !errors.Is(err, boom) || v != 0 || e.Revision() != rev {
		t.Fatalf("failed update: v=%d err=%v revision %s", v, err, e.Revision())
	}
	if d, _ := e.Decide(ctx, bob); d.Allow {
		t.Fatal("a failed update was applied")
	}

	bad := map[string]func(tx *pep.Tx){
		"grant without action": func(tx *pep.Tx) { tx.AddGrant(pep.Grant{Subject: "bob"}) },
		"fact not JSON":        func(tx *pep.Tx) { tx.SetFact("ch", make(chan int)) },
	}
	for name, fn := range bad {
		if _, err := e.Update(ctx, func(tx *pep.Tx) error { fn(tx); return nil }); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	v, err = e.Update(ctx, func(tx *pep.Tx) error {
		tx.AddGrant(bobGrant)
		tx.SetFact("maintenance", map[string]any{"on": false})
		return nil
	})
	if err != nil || v != 1 || e.Revision() == rev {
		t.Fatalf("update: v=%d err=%v", v, err)
	}
	if d, _ := e.Decide(ctx, bob); !d.Allow || d.Revision != e.Revision() {
		t.Fatalf("grant not visible to the next decision: %+v", d)
	}

	if _, err := e.Update(ctx, func(tx *pep.Tx) error { tx.RemoveGrant(bobGrant); return nil }); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Decide(ctx, bob); d.Allow {
		t.Fatal("removed grant still allows")
	}
}

func TestLiveRolesWinOverTokenRoles(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, pep.Config{})
	in := readTx(user("root", "admin"), "carol")

	steps := []struct {
		name  string
		fn    func(tx *pep.Tx)
		allow bool
	}{
		{"token roles", func(*pep.Tx) {}, true},
		{"binding removes admin", func(tx *pep.Tx) { tx.SetRoles("root", "user") }, false},
		{"empty binding", func(tx *pep.Tx) { tx.SetRoles("root") }, false},
		{"unbound again", func(tx *pep.Tx) { tx.Unbind("root") }, true},
	}
	for _, s := range steps {
		if _, err := e.Update(ctx, func(tx *pep.Tx) error { s.fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		// Twice: the second answer may come from the decision cache.
		for range 2 {
			if d, _ := e.Decide(ctx, in); d.Allow != s.allow {
				t.Fatalf("%s: allow = %v, want %v", s.name, d.Allow, s.allow)
			}
		}
	}
}

// TestConcurrentUpdates runs decisions, updates and reloads together; run it
// with -race.
func TestConcurrentUpdates(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, pep.Config{})
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			for j := range 50 {
				in := readTx(user("bob", "auditor"), "alice")
				if _, err := e.Decide(ctx, in); err != nil {
					t.Error(err)
				}
				if i == 0 {
					_, _ = e.Update(ctx, func(tx *pep.Tx) error {
						if j%2 == 0 {
							tx.AddGrant(bobGrant)
						} else {
							tx.RemoveGrant(bobGrant)
						}
						return nil
					})
				}
				if i == 1 && j%10 == 0 {
					_ = e.Reload(ctx)
				}
			}
		})
	}
	wg.Wait()
	if _, err := e.Update(ctx, func(tx *pep.Tx) error { tx.AddGrant(bobGrant); return nil }); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Decide(ctx, readTx(user("bob", "auditor"), "alice")); !d.Allow {
		t.Fatal("final grant not visible")
	}
}

func TestHooks(t *testing.T) {
	ctx := context.Background()
	var denied []zt.Decision
	owners := map[string]string{"t1": "alice"}
	e := newEngine(t, pep.Config{
		Before: []pep.BeforeHook{func(_ context.Context, in *pep.Input) error {
			if in.Request.Resource.ID == "broken" {
				return errors.New("resource store down")
			}
			in.Request.Resource.Owner = owners[in.Request.Resource.ID]
			return nil
		}},
		After: []pep.AfterHook{func(_ context.Context, _ *pep.Input, d *zt.Decision) error {
			if _, ok := d.Obligations[zt.ObligationStepUp]; ok {
				return errors.New("cannot step up here")
			}
			return nil
		}},
		OnDeny: []pep.DenyHook{func(_ context.Context, _ *pep.Input, d zt.Decision) {
			denied = append(denied, d)
		}},
	})

	in := readTx(user("alice", "user"), "")
	if d, err := e.Decide(ctx, in); !d.Allow || err != nil {
		t.Fatalf("owner loaded by hook: %+v %v", d, err)
	}

	in = readTx(user("alice", "user"), "")
	in.Request.Resource.ID = "broken"
	d, err := e.Decide(ctx, in)
	if d.Allow || err == nil || d.Reasons[0] != pep.ReasonHookError {
		t.Fatalf("before hook error: %+v %v", d, err)
	}

	in = readTx(user("alice", "user"), "")
	in.Request.Action = "transactions.delete"
	d, err = e.Decide(ctx, in)
	if d.Allow || err == nil || d.Reasons[len(d.Reasons)-1] != pep.ReasonObligationFailed {
		t.Fatalf("after hook error: %+v %v", d, err)
	}
	if len(denied) != 2 {
		t.Errorf("deny hooks saw %d denials, want 2", len(denied))
	}
}
