package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
)

// recorder is a sink that stores what it receives and can be held or made to
// fail.
type recorder struct {
	mu      sync.Mutex
	events  []audit.Event
	batches []int
	gate    chan struct{} // when non-nil, Write waits for a receive
	fail    atomic.Bool
	entered atomic.Int32
}

func (r *recorder) Write(_ context.Context, batch []audit.Event) error {
	r.entered.Add(1)

	if r.gate != nil {
		<-r.gate
	}

	if r.fail.Load() {
		return errors.New("disk on fire")
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	r.events = append(r.events, batch...)
	r.batches = append(r.batches, len(batch))

	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()

	var out []string
	for _, e := range r.events {
		out = append(out, e.ID)
	}

	return out
}

func event(i int) audit.Event {
	return audit.Event{
		ID: fmt.Sprint("ev-", i), Time: time.Now(), Kind: "decision",
		Actor: audit.Actor{User: "alice", Session: "s1"}, Action: "transactions.read",
		Decision: "allow",
	}
}

func newPipeline(t *testing.T, sinks ...audit.SinkConfig) *audit.Pipeline {
	t.Helper()

	p, err := audit.NewPipeline(audit.Config{Sinks: sinks, Retry: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = p.Close(context.Background()) })

	return p
}

func TestPipelineDeliversToEverySinkInOrder(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	p := newPipeline(t,
		audit.SinkConfig{Name: "a", Sink: a, BatchSize: 7},
		audit.SinkConfig{Name: "b", Sink: b, Overflow: audit.Drop})

	for i := range 100 {
		if err := p.Emit(context.Background(), event(i)); err != nil {
			t.Fatal(err)
		}
	}

	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	for name, r := range map[string]*recorder{"a": a, "b": b} {
		ids := r.ids()
		if len(ids) != 100 {
			t.Fatalf("sink %s got %d events", name, len(ids))
		}

		for i, id := range ids {
			if id != fmt.Sprint("ev-", i) {
				t.Fatalf("sink %s: event %d is %s", name, i, id)
			}
		}
	}

	for _, n := range a.batches {
		if n > 7 {
			t.Fatalf("batch of %d exceeds BatchSize 7", n)
		}
	}
}

// fillQueue holds the sink and emits until the one in-flight batch and the
// queue are full.
func fillQueue(t *testing.T, p *audit.Pipeline, r *recorder, queue int) {
	t.Helper()

	// The first event is taken by the writer, which then blocks in Write.
	if err := p.Emit(context.Background(), event(0)); err != nil {
		t.Fatal(err)
	}

	waitFor(t, func() bool { return r.entered.Load() > 0 })

	for i := 1; i <= queue; i++ {
		if err := p.Emit(context.Background(), event(i)); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()

	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}

		time.Sleep(time.Millisecond)
	}
}

func assertRefused(t *testing.T, err error) {
	t.Helper()

	if !errors.Is(err, zt.ErrUnavailable) || !errors.Is(err, audit.ErrOverflow) {
		t.Fatalf("err = %v, want zt.ErrUnavailable wrapping audit.ErrOverflow", err)
	}

	if zt.ReasonOf(err) != zt.ReasonAuditUnavailable {
		t.Fatalf("reason = %q", zt.ReasonOf(err))
	}
}

func TestOverflowBlockRefusesAfterDeadline(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	p := newPipeline(t, audit.SinkConfig{
		Name: "chain", Sink: r, QueueSize: 4, BlockTimeout: 20 * time.Millisecond,
	})
	fillQueue(t, p, r, 4)

	start := time.Now()
	err := p.Emit(context.Background(), event(99))
	assertRefused(t, err)

	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Fatalf("Block refused after %v, before its deadline", waited)
	}

	close(r.gate)
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	if got := p.Stats()[0]; got.Refused != 1 || got.Written != 5 || got.Dropped != 0 {
		t.Fatalf("stats = %+v", got)
	}
}

func TestOverflowBlockWaitsForRoom(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	p := newPipeline(t, audit.SinkConfig{
		Name: "chain", Sink: r, QueueSize: 2, BlockTimeout: 10 * time.Second,
	})
	fillQueue(t, p, r, 2)

	go func() {
		time.Sleep(20 * time.Millisecond)
		close(r.gate)
	}()

	if err := p.Emit(context.Background(), event(3)); err != nil {
		t.Fatalf("Block refused although room appeared before the deadline: %v", err)
	}
}

func TestOverflowBlockHonoursContext(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	defer close(r.gate)

	p := newPipeline(t, audit.SinkConfig{
		Name: "chain", Sink: r, QueueSize: 1, BlockTimeout: time.Hour,
	})
	fillQueue(t, p, r, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()

	assertRefused(t, p.Emit(ctx, event(2)))
}

func TestOverflowDropCounts(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	p := newPipeline(t, audit.SinkConfig{
		Name: "log", Sink: r, QueueSize: 3, Overflow: audit.Drop,
	})
	fillQueue(t, p, r, 3)

	for i := range 5 {
		if err := p.Emit(context.Background(), event(10+i)); err != nil {
			t.Fatalf("Drop refused: %v", err)
		}
	}

	close(r.gate)
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	if got := p.Stats()[0]; got.Dropped != 5 || got.Written != 4 || got.Refused != 0 {
		t.Fatalf("stats = %+v", got)
	}
}

func TestOverflowFailClosedQueueFull(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	p := newPipeline(t, audit.SinkConfig{
		Name: "chain", Sink: r, QueueSize: 2, Overflow: audit.FailClosed,
	})
	fillQueue(t, p, r, 2)

	start := time.Now()
	assertRefused(t, p.Emit(context.Background(), event(3)))

	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("FailClosed waited %v", waited)
	}

	close(r.gate)
}

func TestOverflowFailClosedWhileSinkFails(t *testing.T) {
	r := &recorder{}
	r.fail.Store(true)

	p := newPipeline(t, audit.SinkConfig{Name: "chain", Sink: r, Overflow: audit.FailClosed})

	if err := p.Emit(context.Background(), event(0)); err != nil {
		t.Fatalf("first event refused before any failure: %v", err)
	}

	waitFor(t, func() bool { return !p.Stats()[0].Healthy })
	assertRefused(t, p.Emit(context.Background(), event(1)))

	r.fail.Store(false)
	waitFor(t, func() bool { return p.Stats()[0].Healthy })

	if err := p.Emit(context.Background(), event(2)); err != nil {
		t.Fatalf("refused after the sink recovered: %v", err)
	}

	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	if ids := r.ids(); strings.Join(ids, ",") != "ev-0,ev-2" {
		t.Fatalf("written %v; the failed batch must be retried, the refused event absent", ids)
	}
}

func TestCloseDrainsAndRefusesAfter(t *testing.T) {
	r := &recorder{}
	p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{{Name: "a", Sink: r}}})
	if err != nil {
		t.Fatal(err)
	}

	for i := range 1000 {
		if err := p.Emit(context.Background(), event(i)); err != nil {
			t.Fatal(err)
		}
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	if n := len(r.ids()); n != 1000 {
		t.Fatalf("Close left %d of 1000 events unwritten", 1000-n)
	}

	err = p.Emit(context.Background(), event(0))
	if !errors.Is(err, audit.ErrClosed) || !errors.Is(err, zt.ErrUnavailable) {
		t.Fatalf("Emit after Close = %v", err)
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestNewPipelineRejectsBadConfig(t *testing.T) {
	r := &recorder{}
	tests := []struct {
		name  string
		sinks []audit.SinkConfig
	}{
		{"no sinks", nil},
		{"no name", []audit.SinkConfig{{Sink: r}}},
		{"no sink", []audit.SinkConfig{{Name: "a"}}},
		{"duplicate", []audit.SinkConfig{{Name: "a", Sink: r}, {Name: "a", Sink: r}}},
		{"bad policy", []audit.SinkConfig{{Name: "a", Sink: r, Overflow: 7}}},
		{"negative", []audit.SinkConfig{{Name: "a", Sink: r, QueueSize: -1}}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := audit.NewPipeline(audit.Config{Sinks: tc.sinks}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

const secretJWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"

// secretEvent carries secrets in every free-form field a careless caller
// could fill.
func secretEvent() audit.Event {
	e := event(1)
	e.UserAgent = "curl/8 Authorization: Bearer abcdefgh12345678"
	e.Attributes = map[string]string{
		"password":      "hunter2-password-value",
		"X-Api-Token":   "tok-value-123",
		"note":          "forwarded " + secretJWT,
		"Cookie":        "sid=cookie-value-456",
		"key":           "-----BEGIN EC PRIVATE KEY-----",
		"ordinary_note": "kept",
	}

	return e
}

// secretsIn returns the secrets of secretEvent found in s.
func secretsIn(s string) []string {
	var found []string
	for _, v := range []string{
		"hunter2", "tok-value-123", "eyJhbGciOiJFUzI1NiJ9", "cookie-value-456",
		"abcdefgh12345678", "PRIVATE KEY",
	} {
		if strings.Contains(s, v) {
			found = append(found, v)
		}
	}

	return found
}

func TestNoSecretReachesSlogSink(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	p := newPipeline(t, audit.SinkConfig{Name: "log", Sink: audit.NewSlogSink(logger)})

	if err := p.Emit(context.Background(), secretEvent()); err != nil {
		t.Fatal(err)
	}

	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	out := buf.String()
	if found := secretsIn(out); len(found) > 0 {
		t.Fatalf("secrets reached the log: %v\n%s", found, out)
	}

	for _, want := range []string{`"ordinary_note":"kept"`, `"user":"alice"`, `"decision":"allow"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestScrubLeavesCallerMapAlone(t *testing.T) {
	e := secretEvent()
	_ = audit.Scrub(e)

	if e.Attributes["password"] != "hunter2-password-value" {
		t.Fatal("Scrub modified the caller's map")
	}
}

func TestOverflowString(t *testing.T) {
	for o, want := range map[audit.Overflow]string{
		audit.Block: "block", audit.Drop: "drop", audit.FailClosed: "fail-closed", 9: "overflow(9)",
	} {
		if o.String() != want {
			t.Fatalf("%d.String() = %q", int(o), o.String())
		}
	}
}

// TestCloseLeavesNoGoroutines checks that Close stops every writer.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()

	for range 5 {
		p, err := audit.NewPipeline(audit.Config{Sinks: []audit.SinkConfig{
			{Name: "a", Sink: &recorder{}}, {Name: "b", Sink: &recorder{}, Linger: time.Millisecond},
		}})
		if err != nil {
			t.Fatal(err)
		}

		if err := p.Emit(context.Background(), event(1)); err != nil {
			t.Fatal(err)
		}

		if err := p.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	waitFor(t, func() bool { return runtime.NumGoroutine() <= before })
}

func TestCloseRetriesAFailingSinkUntilItsDeadline(t *testing.T) {
	r := &recorder{}
	r.fail.Store(true)

	p, err := audit.NewPipeline(audit.Config{
		Sinks: []audit.SinkConfig{{Name: "chain", Sink: r}}, Retry: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := p.Emit(context.Background(), event(1)); err != nil {
		t.Fatal(err)
	}

	// The sink recovers while Close waits: nothing is lost.
	go func() {
		time.Sleep(30 * time.Millisecond)
		r.fail.Store(false)
	}()

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	if got := p.Stats()[0]; got.Written != 1 || got.Dropped != 0 {
		t.Fatalf("stats = %+v", got)
	}
}

func TestCloseGivesUpAtItsDeadline(t *testing.T) {
	r := &recorder{}
	r.fail.Store(true)

	p, err := audit.NewPipeline(audit.Config{
		Sinks: []audit.SinkConfig{{Name: "chain", Sink: r}}, Retry: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := p.Emit(context.Background(), event(1)); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()

	if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}

	waitFor(t, func() bool { return p.Stats()[0].Dropped == 1 })
}
