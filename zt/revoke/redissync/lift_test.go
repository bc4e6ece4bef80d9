package redissync_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
)

const quarantined = "spiffe://example.org/ns/prod/sa/billing"

func workloadRefused(r *replica) bool {
	p := &zt.Principal{Workload: &zt.Workload{ID: quarantined}}

	return errors.Is(r.list.CheckRevoked(context.Background(), p), zt.ErrRevoked)
}

func TestThreeReplicasSeeALift(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	ctx := context.Background()

	replicas := []*replica{
		startReplica(t, addr, prefix), startReplica(t, addr, prefix), startReplica(t, addr, prefix),
	}
	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " synced"), r.rep.Synced)
	}

	must(t, replicas[0].rep.Revoke(ctx, revoke.Entry{
		Kind: revoke.Workload, Value: quarantined, Reason: "detect.quarantine",
	}))

	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " refuses"), func() bool { return workloadRefused(r) })
	}

	// The lift is made on another replica than the revocation.
	lifted, err := replicas[1].rep.Lift(ctx, revoke.Workload, quarantined)
	if err != nil || !lifted {
		t.Fatalf("Lift = %v, %v; want true, nil", lifted, err)
	}

	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " accepts again"), func() bool {
			return !workloadRefused(r)
		})
	}

	if n := replicas[2].rdb.ZCard(ctx, prefix+":entries").Val(); n != 0 {
		t.Fatalf("the durable set still holds %d members", n)
	}

	// A later resync does not bring the entry back.
	must(t, replicas[2].rep.Resync(ctx))

	if workloadRefused(replicas[2]) {
		t.Fatal("a resync restored a lifted entry")
	}
}

func TestReplicaThatMissedALiftDropsItOnResync(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	ctx := context.Background()

	a := startReplica(t, addr, prefix)
	b := startReplica(t, addr, prefix)
	waitUntil(t, "a synced", a.rep.Synced)
	waitUntil(t, "b synced", b.rep.Synced)

	must(t, a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Workload, Value: quarantined}))
	must(t, a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: "still-revoked"}))
	waitUntil(t, "b refuses", func() bool { return workloadRefused(b) && refuses(b, "still-revoked") })

	b.cut()
	waitUntil(t, "b notices the cut", func() bool { return !b.rep.Synced() })

	if _, err := a.rep.Lift(ctx, revoke.Workload, quarantined); err != nil {
		t.Fatal(err)
	}

	if !workloadRefused(b) {
		t.Fatal("b saw a lift while cut off")
	}

	b.offline.Store(false)
	waitUntil(t, "b resynced", b.rep.Synced)

	if workloadRefused(b) {
		t.Fatal("b kept an entry lifted while it was cut off")
	}

	if !refuses(b, "still-revoked") {
		t.Fatal("b's resync dropped an entry that is still revoked")
	}
}

func TestLiftRejectsInvalidInput(t *testing.T) {
	r := startReplica(t, testenv.RedisAddr(t), newPrefix())

	_, err := r.rep.Lift(context.Background(), revoke.Session, "")
	if !errors.Is(err, revoke.ErrInvalidEntry) {
		t.Fatalf("Lift of an empty value = %v; want revoke.ErrInvalidEntry", err)
	}
}

func TestLiftMatchesTheValueExactly(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	ctx := context.Background()
	r := startReplica(t, addr, prefix)
	waitUntil(t, "synced", r.rep.Synced)

	// Values that a glob pattern or the "|" separator could confuse.
	for _, v := range []string{"x|v", "v", "*", "[a]"} {
		must(t, r.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: v}))
	}

	for _, v := range []string{"v", "*"} {
		if _, err := r.rep.Lift(ctx, revoke.Session, v); err != nil {
			t.Fatal(err)
		}
	}

	must(t, r.rep.Resync(ctx))

	for v, want := range map[string]bool{"x|v": true, "v": false, "*": false, "[a]": true} {
		if refuses(r, v) != want {
			t.Errorf("session %q refused = %v, want %v", v, !want, want)
		}
	}
}
