package redissync_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/revoke/redissync"
)

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

// replica is one service instance: its own client, list and replicator.
type replica struct {
	list *revoke.List
	rep  *redissync.Replicator
	rdb  *redis.Client

	// offline, when set, makes the replica's dialer fail, so that a test
	// decides when it may reconnect.
	offline atomic.Bool

	mu    sync.Mutex
	conns []net.Conn
}

// cut takes the replica off Redis: it closes its connections and refuses new
// ones until offline is cleared.
func (r *replica) cut() {
	r.offline.Store(true)

	r.mu.Lock()
	defer r.mu.Unlock()

	for _, c := range r.conns {
		_ = c.Close()
	}

	r.conns = nil
}

func newPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)

	return "ztkit-test:" + hex.EncodeToString(b)
}

func startReplica(t testing.TB, addr, prefix string) *replica {
	t.Helper()

	r := &replica{list: revoke.NewList(revoke.Config{})}

	var d net.Dialer
	r.rdb = redis.NewClient(&redis.Options{
		Addr: addr, MaxRetries: -1, DialTimeout: time.Second,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if r.offline.Load() {
				return nil, errors.New("test: replica offline")
			}

			c, err := d.DialContext(ctx, network, addr)
			if err == nil {
				r.mu.Lock()
				r.conns = append(r.conns, c)
				r.mu.Unlock()
			}

			return c, err
		},
	})

	rep, err := redissync.New(redissync.Config{
		Client: r.rdb, List: r.list, Prefix: prefix, HealthInterval: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	r.rep = rep

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})

	go func() {
		defer close(done)
		_ = rep.Run(ctx)
	}()

	t.Cleanup(func() {
		cancel()
		<-done
		_ = r.rdb.Close()
	})

	return r
}

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 10s", what)
		}

		time.Sleep(5 * time.Millisecond)
	}
}

func sessionPrincipal(sid string) *zt.Principal {
	return &zt.Principal{User: &zt.User{ID: "alice", SessionID: sid}}
}

func refuses(r *replica, sid string) bool {
	return errors.Is(r.list.CheckRevoked(context.Background(), sessionPrincipal(sid)), zt.ErrRevoked)
}

func TestThreeReplicasSeeARevocation(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()

	replicas := []*replica{
		startReplica(t, addr, prefix), startReplica(t, addr, prefix), startReplica(t, addr, prefix),
	}
	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " synced"), r.rep.Synced)
	}

	entry := revoke.Entry{Kind: revoke.Session, Value: "sess-42", Reason: "admin.logout"}
	if err := replicas[0].rep.Revoke(context.Background(), entry); err != nil {
		t.Fatal(err)
	}

	for i, r := range replicas {
		waitUntil(t, fmt.Sprint("replica ", i, " refuses the session"), func() bool {
			return refuses(r, "sess-42")
		})

		got, _ := r.list.Revoked(revoke.Session, "sess-42")
		if got.Reason != "admin.logout" {
			t.Fatalf("replica %d: reason %q", i, got.Reason)
		}
	}

	// All replicas expire the entry at the same moment.
	e0, _ := replicas[0].list.Revoked(revoke.Session, "sess-42")
	for i, r := range replicas[1:] {
		e, _ := r.list.Revoked(revoke.Session, "sess-42")
		if !e.Expires.Equal(e0.Expires.Truncate(time.Millisecond)) && !e.Expires.Equal(e0.Expires) {
			t.Fatalf("replica %d expires at %v, replica 0 at %v", i+1, e.Expires, e0.Expires)
		}
	}

	if refuses(replicas[2], "sess-other") {
		t.Fatal("an unrelated session is refused")
	}
}

func TestNewReplicaResyncsExistingRevocations(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()

	first := startReplica(t, addr, prefix)
	waitUntil(t, "first synced", first.rep.Synced)

	if err := first.rep.Revoke(context.Background(),
		revoke.Entry{Kind: revoke.Subject, Value: "mallory"}); err != nil {
		t.Fatal(err)
	}

	late := startReplica(t, addr, prefix)
	waitUntil(t, "late replica synced", late.rep.Synced)

	if _, ok := late.list.Revoked(revoke.Subject, "mallory"); !ok {
		t.Fatal("a replica that started later did not load the durable set")
	}
}

func TestMalformedMessagesAndMembersIgnored(t *testing.T) {
	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	r := startReplica(t, addr, prefix)
	waitUntil(t, "synced", r.rep.Synced)

	ctx := context.Background()
	must(t, r.rdb.Publish(ctx, prefix+":events", "not json").Err())
	must(t, r.rdb.Publish(ctx, prefix+":events", `[{"kind":"cookie","value":"x"}]`).Err())
	must(t, r.rdb.Publish(ctx, prefix+":events", `{"lift":`).Err())
	must(t, r.rdb.Publish(ctx, prefix+":events", `{"lift":[{"kind":"cookie","value":"x"}]}`).Err())
	must(t, r.rdb.ZAdd(ctx, prefix+":entries", redis.Z{
		Score: float64(time.Now().Add(time.Hour).UnixMilli()), Member: "garbage",
	}).Err())
	must(t, r.rdb.ZAdd(ctx, prefix+":entries", redis.Z{
		Score: float64(time.Now().Add(time.Hour).UnixMilli()), Member: "token|||good-jti",
	}).Err())

	must(t, r.rep.Resync(ctx))

	if _, ok := r.list.Revoked(revoke.Token, "good-jti"); !ok {
		t.Fatal("a valid member next to malformed ones was not applied")
	}

	if r.list.Len() != 1 {
		t.Fatalf("list holds %d entries, want 1", r.list.Len())
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	if _, err := redissync.New(redissync.Config{}); err == nil {
		t.Fatal("accepted")
	}
}

func must(t *testing.T, err error) {
	t.Helper()

	if err != nil {
		t.Fatal(err)
	}
}

// redisServer is a redis-server started by a test on its own port.
type redisServer struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func newRedisServer(t *testing.T) *redisServer {
	t.Helper()

	if _, err := exec.LookPath("redis-server"); err != nil {
		testenv.Unavailable(t, "redis-server binary", "install redis-server")
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)

	port := l.Addr().(*net.TCPAddr).Port
	must(t, l.Close())

	s := &redisServer{t: t, port: port, dir: t.TempDir()}
	t.Cleanup(s.stop)

	return s
}

func (s *redisServer) addr() string {
	return "127.0.0.1:" + strconv.Itoa(s.port)
}

// start runs the server, keeping its data in an append-only file across
// restarts, and waits until it answers.
func (s *redisServer) start() {
	s.t.Helper()

	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1", "--dir", s.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always")
	must(s.t, s.cmd.Start())

	rdb := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	defer rdb.Close()

	waitUntil(s.t, "redis-server answers", func() bool {
		return rdb.Ping(context.Background()).Err() == nil
	})
}

func (s *redisServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}

	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func TestReplicaCutFromRedisKeepsEnforcingAndCatchesUp(t *testing.T) {
	srv := newRedisServer(t)
	srv.start()

	prefix := newPrefix()
	a := startReplica(t, srv.addr(), prefix)
	b := startReplica(t, srv.addr(), prefix)
	waitUntil(t, "a synced", a.rep.Synced)
	waitUntil(t, "b synced", b.rep.Synced)

	ctx := context.Background()
	must(t, a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: "before-cut"}))
	waitUntil(t, "b refuses before-cut", func() bool { return refuses(b, "before-cut") })

	b.offline.Store(true)
	srv.stop()
	waitUntil(t, "b notices the loss", func() bool { return !b.rep.Synced() })

	if !refuses(b, "before-cut") {
		t.Fatal("a replica cut from Redis stopped enforcing its last state")
	}

	// A revocation while Redis is down is enforced where it was made and
	// reported as not shared.
	err := a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: "during-cut"})
	if !errors.Is(err, zt.ErrUnavailable) || !refuses(a, "during-cut") {
		t.Fatalf("revoke during the cut: err %v, enforced locally %v", err, refuses(a, "during-cut"))
	}

	// A revocation made and lifted during the cut stays lifted: the lift
	// withdraws it from what a's resync will store.
	err = a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Session, Value: "lifted-during-cut"})
	if !errors.Is(err, zt.ErrUnavailable) {
		t.Fatalf("revoke during the cut: err %v", err)
	}

	_, err = a.rep.Lift(ctx, revoke.Session, "lifted-during-cut")
	if !errors.Is(err, zt.ErrUnavailable) {
		t.Fatalf("lift during the cut: err %v", err)
	}

	// A lift while Redis is down holds only until the next resync restores
	// the durable entry: a failed lift errs on the side of refusing.
	if _, err := a.rep.Lift(ctx, revoke.Session, "before-cut"); !errors.Is(err, zt.ErrUnavailable) {
		t.Fatalf("lift during the cut: err %v, want zt.ErrUnavailable", err)
	}

	srv.start()

	// A revocation that reaches the durable set without being published
	// (as one made while b was away) can only arrive by resync.
	seed := redis.NewClient(&redis.Options{Addr: srv.addr()})
	defer seed.Close()

	must(t, seed.ZAdd(ctx, prefix+":entries", redis.Z{
		Score:  float64(time.Now().Add(time.Hour).UnixMilli()),
		Member: "session|missed.while.away||after-cut",
	}).Err())

	if b.rep.Synced() {
		t.Fatal("b synced while offline")
	}

	b.offline.Store(false)
	waitUntil(t, "b resynced", b.rep.Synced)
	waitUntil(t, "b refuses after-cut", func() bool { return refuses(b, "after-cut") })

	if !refuses(b, "before-cut") {
		t.Fatal("state lost across the reconnect")
	}

	// The revocation that could not be stored during the cut is stored by
	// a's resync, not taken for lifted, and reaches b by b's next resync.
	waitUntil(t, "a resynced", a.rep.Synced)
	waitUntil(t, "a refuses before-cut again", func() bool { return refuses(a, "before-cut") })

	if !refuses(a, "during-cut") {
		t.Fatal("a's resync dropped a revocation it could not store")
	}

	if refuses(a, "lifted-during-cut") {
		t.Fatal("a's resync stored a revocation lifted while it waited")
	}

	must(t, b.rep.Resync(ctx))

	if !refuses(b, "during-cut") {
		t.Fatal("a revocation made during the cut never reached the set")
	}

	// And fan-out works again.
	must(t, a.rep.Revoke(ctx, revoke.Entry{Kind: revoke.Device, Value: "dev-9"}))
	waitUntil(t, "b sees dev-9", func() bool {
		_, ok := b.list.Revoked(revoke.Device, "dev-9")
		return ok
	})
}

// TestRunStopsWithItsContext checks that Run returns promptly when its
// context ends and leaves no goroutine behind.
func TestRunStopsWithItsContext(t *testing.T) {
	addr := testenv.RedisAddr(t)
	before := runtime.NumGoroutine()

	rdb := redis.NewClient(&redis.Options{Addr: addr})
	rep, err := redissync.New(redissync.Config{
		Client: rdb, List: revoke.NewList(revoke.Config{}), Prefix: newPrefix(),
		HealthInterval: time.Hour,
	})
	must(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)

	go func() { done <- rep.Run(ctx) }()

	waitUntil(t, "synced", rep.Synced)
	cancel()

	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}

	must(t, rdb.Close())
	waitUntil(t, "goroutines released", func() bool { return runtime.NumGoroutine() <= before })
}
