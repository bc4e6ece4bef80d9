package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ztkit/ztkit/zt"
)

// Sink writes batches of events somewhere durable or observable. Write is
// called from one goroutine per sink; a batch that fails is retried, so Write
// should be idempotent or at least safe to repeat.
type Sink interface {
	Write(ctx context.Context, batch []Event) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(ctx context.Context, batch []Event) error

// Write calls f.
func (f SinkFunc) Write(ctx context.Context, batch []Event) error {
	return f(ctx, batch)
}

// Overflow is what a Pipeline does with an event that a sink's queue cannot
// take, because the queue is full or the sink is failing.
type Overflow int

const (
	// Block waits up to the sink's BlockTimeout for room in the queue, then
	// refuses the event: Emit returns an error and the enforcement point must
	// deny the request. No event is ever lost silently; a slow sink slows
	// requests for at most the deadline. It is the default.
	Block Overflow = iota

	// Drop discards the event, counts it in Stats.Dropped, and lets the
	// request proceed. Use it for observability sinks (logs, traces) that are
	// not the record of evidence.
	Drop

	// FailClosed refuses the event at once when the queue is full or the
	// sink's last write failed, so that requests are denied for as long as
	// the audit trail cannot record them.
	FailClosed
)

// String returns "block", "drop" or "fail-closed".
func (o Overflow) String() string {
	switch o {
	case Block:
		return "block"
	case Drop:
		return "drop"
	case FailClosed:
		return "fail-closed"
	default:
		return fmt.Sprintf("overflow(%d)", int(o))
	}
}

// Errors returned by a Pipeline. Emit wraps ErrOverflow and ErrClosed in a
// *zt.Error of kind zt.ErrUnavailable with reason zt.ReasonAuditUnavailable.
var (
	// ErrOverflow means a sink could not take the event under its overflow
	// policy.
	ErrOverflow = errors.New("audit: sink cannot take the event")

	// ErrClosed means the Pipeline was closed.
	ErrClosed = errors.New("audit: pipeline closed")
)

// Defaults applied by NewPipeline to zero fields of a SinkConfig.
const (
	DefaultQueueSize    = 8192
	DefaultBatchSize    = 512
	DefaultBlockTimeout = 200 * time.Millisecond
)

// SinkConfig attaches one sink to a Pipeline.
type SinkConfig struct {
	// Name identifies the sink in Stats, logs and errors. Required, unique.
	Name string

	// Sink receives the batches. Required.
	Sink Sink

	// Overflow is the policy when the queue is full or the sink fails. The
	// zero value is Block.
	Overflow Overflow

	// QueueSize bounds the events waiting for this sink. Zero means
	// DefaultQueueSize.
	QueueSize int

	// BatchSize caps the events handed to one Write. Zero means
	// DefaultBatchSize.
	BatchSize int

	// BlockTimeout is how long Emit waits for room under Block. Zero means
	// DefaultBlockTimeout.
	BlockTimeout time.Duration

	// Linger is how long the writer waits for a batch to fill before it
	// writes a partial one. Zero writes whatever is queued at once, which
	// keeps latency low; a sink with costly writes may prefer a few
	// milliseconds.
	Linger time.Duration
}

// Config configures a Pipeline.
type Config struct {
	// Sinks are the destinations; at least one is required.
	Sinks []SinkConfig

	// Logger receives write failures and retries; nil logs nothing.
	Logger *slog.Logger

	// Retry is the first delay before a failed batch is written again; it
	// doubles up to a minute. Zero means 50 ms.
	Retry time.Duration
}

// SinkStats counts what happened to the events of one sink.
type SinkStats struct {
	// Name is the sink's name.
	Name string

	// Overflow is the sink's policy.
	Overflow Overflow

	// Queued is the number of events waiting now.
	Queued int

	// Written counts events that the sink accepted.
	Written uint64

	// Dropped counts events discarded under Drop.
	Dropped uint64

	// Refused counts events that Emit refused under Block or FailClosed.
	Refused uint64

	// Failures counts failed writes (each retried).
	Failures uint64

	// Healthy is false while the sink's last write failed.
	Healthy bool
}

// Pipeline is an Emitter that delivers events to sinks asynchronously through
// bounded queues, one per sink, each with its own overflow policy.
type Pipeline struct {
	lanes    []*lane
	logger   *slog.Logger
	inflight atomic.Int64
	closing  atomic.Bool
	stop     chan struct{}
	abandon  chan struct{} // closed when Close's context ends
	done     sync.WaitGroup
	closeMu  sync.Mutex
}

type lane struct {
	cfg      SinkConfig
	queue    chan Event
	retry    time.Duration
	enqueued atomic.Uint64
	written  atomic.Uint64
	dropped  atomic.Uint64
	refused  atomic.Uint64
	failures atomic.Uint64
	failing  atomic.Bool
	settled  atomic.Uint64 // enqueued events written or abandoned
}

// NewPipeline validates cfg, starts one writer goroutine per sink and returns
// the Pipeline. Close it to flush and stop the writers.
func NewPipeline(cfg Config) (*Pipeline, error) {
	if len(cfg.Sinks) == 0 {
		return nil, errors.New("audit: pipeline needs at least one sink")
	}

	p := &Pipeline{logger: cfg.Logger, stop: make(chan struct{}), abandon: make(chan struct{})}

	retry := cfg.Retry
	if retry <= 0 {
		retry = 50 * time.Millisecond
	}

	names := map[string]bool{}
	for i, sc := range cfg.Sinks {
		if err := validateSink(sc, names); err != nil {
			return nil, fmt.Errorf("audit: sink %d: %w", i, err)
		}

		p.lanes = append(p.lanes, newLane(withDefaults(sc), retry))
	}

	for _, l := range p.lanes {
		p.done.Add(1)
		go p.run(l)
	}

	return p, nil
}

func validateSink(sc SinkConfig, names map[string]bool) error {
	switch {
	case sc.Name == "":
		return errors.New("no name")
	case names[sc.Name]:
		return fmt.Errorf("duplicate name %q", sc.Name)
	case sc.Sink == nil:
		return fmt.Errorf("%q has no Sink", sc.Name)
	case sc.Overflow < Block || sc.Overflow > FailClosed:
		return fmt.Errorf("%q has unknown overflow policy %d", sc.Name, sc.Overflow)
	case sc.QueueSize < 0 || sc.BatchSize < 0 || sc.BlockTimeout < 0 || sc.Linger < 0:
		return fmt.Errorf("%q has a negative size or duration", sc.Name)
	}

	names[sc.Name] = true

	return nil
}

func withDefaults(sc SinkConfig) SinkConfig {
	if sc.QueueSize == 0 {
		sc.QueueSize = DefaultQueueSize
	}

	if sc.BatchSize == 0 {
		sc.BatchSize = DefaultBatchSize
	}

	if sc.BlockTimeout == 0 {
		sc.BlockTimeout = DefaultBlockTimeout
	}

	return sc
}

func newLane(sc SinkConfig, retry time.Duration) *lane {
	return &lane{cfg: sc, queue: make(chan Event, sc.QueueSize), retry: retry}
}

// Emit scrubs e of secrets (see Scrub) and enqueues it for every sink. It
// returns nil when every sink took the event or dropped it under Drop, and a
// *zt.Error of kind zt.ErrUnavailable (reason zt.ReasonAuditUnavailable,
// wrapping ErrOverflow or ErrClosed) when a sink under Block or FailClosed
// refused it: the caller must then deny the request. Sinks that took the event
// before one refused it keep it.
func (p *Pipeline) Emit(ctx context.Context, e Event) error {
	p.inflight.Add(1)
	defer p.inflight.Add(-1)

	if p.closing.Load() {
		return unavailable(ErrClosed)
	}

	e = Scrub(e)

	var refused error
	for _, l := range p.lanes {
		if err := l.offer(ctx, e); err != nil && refused == nil {
			refused = err
		}
	}

	return refused
}

func unavailable(cause error) error {
	return zt.NewError(zt.ErrUnavailable, "", zt.ReasonAuditUnavailable, cause)
}

func (l *lane) offer(ctx context.Context, e Event) error {
	if l.cfg.Overflow == FailClosed && l.failing.Load() {
		return l.refuse("sink failing")
	}

	select {
	case l.queue <- e:
		l.enqueued.Add(1)
		return nil
	default:
	}

	switch l.cfg.Overflow {
	case Drop:
		l.dropped.Add(1)
		return nil
	case FailClosed:
		return l.refuse("queue full")
	}

	return l.wait(ctx, e)
}

func (l *lane) wait(ctx context.Context, e Event) error {
	timer := time.NewTimer(l.cfg.BlockTimeout)
	defer timer.Stop()

	select {
	case l.queue <- e:
		l.enqueued.Add(1)
		return nil
	case <-timer.C:
		return l.refuse("queue full after " + l.cfg.BlockTimeout.String())
	case <-ctx.Done():
		return l.refuse(context.Cause(ctx).Error())
	}
}

func (l *lane) refuse(why string) error {
	l.refused.Add(1)

	return unavailable(fmt.Errorf("%w: sink %q: %s", ErrOverflow, l.cfg.Name, why))
}

// run is the writer of one lane: it takes a batch from the queue, writes it
// (retrying until it succeeds or the pipeline stops), and repeats.
func (p *Pipeline) run(l *lane) {
	defer p.done.Done()

	batch := make([]Event, 0, l.cfg.BatchSize)
	for {
		select {
		case e := <-l.queue:
			batch = l.fill(append(batch[:0], e))
			p.write(l, batch)
		case <-p.stop:
			p.drain(l, batch)
			return
		}
	}
}

// fill adds queued events to batch up to the batch size, waiting up to the
// lane's Linger for more.
func (l *lane) fill(batch []Event) []Event {
	var linger <-chan time.Time
	if l.cfg.Linger > 0 {
		t := time.NewTimer(l.cfg.Linger)
		defer t.Stop()
		linger = t.C
	}

	for len(batch) < l.cfg.BatchSize {
		select {
		case e := <-l.queue:
			batch = append(batch, e)
			continue
		default:
		}

		if linger == nil {
			return batch
		}

		select {
		case e := <-l.queue:
			batch = append(batch, e)
		case <-linger:
			return batch
		}
	}

	return batch
}

// drain writes everything left in the lane's queue after Close.
func (p *Pipeline) drain(l *lane, batch []Event) {
	for {
		batch = batch[:0]

		select {
		case e := <-l.queue:
			batch = l.fill(append(batch, e))
			p.write(l, batch)
		default:
			return
		}
	}
}

// write hands batch to the sink until it succeeds, or until the context of
// Close ends; it then makes one last attempt before it gives the batch up.
func (p *Pipeline) write(l *lane, batch []Event) {
	delay := l.retry

	for {
		err := l.cfg.Sink.Write(context.Background(), batch)
		if err == nil {
			l.failing.Store(false)
			l.written.Add(uint64(len(batch)))
			l.settled.Add(uint64(len(batch)))
			return
		}

		l.failing.Store(true)
		l.failures.Add(1)
		p.log("audit: sink write failed", l, err, len(batch))

		select {
		case <-time.After(delay):
		case <-p.abandon:
			p.giveUp(l, batch)
			return
		}

		delay = min(2*delay, time.Minute)
	}
}

// giveUp makes one last attempt to write batch, and otherwise counts it as
// dropped and logs the loss.
func (p *Pipeline) giveUp(l *lane, batch []Event) {
	if err := l.cfg.Sink.Write(context.Background(), batch); err == nil {
		l.failing.Store(false)
		l.written.Add(uint64(len(batch)))
		l.settled.Add(uint64(len(batch)))

		return
	}

	p.log("audit: sink still failing at close; events lost", l, nil, len(batch))
	l.dropped.Add(uint64(len(batch)))
	l.settled.Add(uint64(len(batch)))
}

func (p *Pipeline) log(msg string, l *lane, err error, n int) {
	if p.logger == nil {
		return
	}

	attrs := []any{slog.String("sink", l.cfg.Name), slog.Int("events", n)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}

	p.logger.Error(msg, attrs...)
}

// Flush waits until every event that Emit accepted before the call has been
// written by its sink, or ctx ends.
func (p *Pipeline) Flush(ctx context.Context) error {
	targets := make([]uint64, len(p.lanes))
	for i, l := range p.lanes {
		targets[i] = l.enqueued.Load()
	}

	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()

	for {
		pending := false
		for i, l := range p.lanes {
			if l.settled.Load() < targets[i] {
				pending = true
			}
		}

		if !pending {
			return nil
		}

		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("audit: flush: %w", context.Cause(ctx))
		}
	}
}

// Close refuses new events, waits for the writers to write what is queued,
// retrying failing sinks, and stops them. If ctx ends first, the writers make
// one last attempt per remaining batch and count what still fails as dropped
// (and log it); Close then returns ctx's error. With a context that never
// ends, Close waits for as long as a sink fails: no event is given up.
func (p *Pipeline) Close(ctx context.Context) error {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()

	if p.closing.Swap(true) {
		return nil
	}

	for p.inflight.Load() > 0 {
		time.Sleep(100 * time.Microsecond)
	}

	close(p.stop)

	finished := make(chan struct{})
	go func() {
		p.done.Wait()
		close(finished)
	}()

	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		close(p.abandon)
		return fmt.Errorf("audit: close: %w", context.Cause(ctx))
	}
}

// Stats returns the counters of every sink, in configuration order.
func (p *Pipeline) Stats() []SinkStats {
	out := make([]SinkStats, len(p.lanes))
	for i, l := range p.lanes {
		out[i] = SinkStats{
			Name:     l.cfg.Name,
			Overflow: l.cfg.Overflow,
			Queued:   len(l.queue),
			Written:  l.written.Load(),
			Dropped:  l.dropped.Load(),
			Refused:  l.refused.Load(),
			Failures: l.failures.Load(),
			Healthy:  !l.failing.Load(),
		}
	}

	return out
}

var _ Emitter = (*Pipeline)(nil)
