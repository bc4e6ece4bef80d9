package chain

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// Defaults applied by Open to zero fields of a Config.
const (
	DefaultCheckpointEvery    = 1000
	DefaultCheckpointInterval = 10 * time.Second
	DefaultMaxFileBytes       = 64 << 20
	DefaultMaxBatch           = 4096
)

// Config configures a Writer.
type Config struct {
	// Dir holds the trail's files; it is created (mode 0700) if missing.
	Dir string

	// Key signs checkpoints. Required. Keep it apart from the trail: whoever
	// holds it can forge a trail.
	Key ed25519.PrivateKey

	// CheckpointEvery seals the chain after this many records. Zero means
	// DefaultCheckpointEvery.
	CheckpointEvery int

	// CheckpointInterval seals unsealed records after this long. Zero means
	// DefaultCheckpointInterval.
	CheckpointInterval time.Duration

	// MaxFileBytes starts a new file once a file grows past it. Zero means
	// DefaultMaxFileBytes.
	MaxFileBytes int64

	// MaxBatch caps the events of one group commit. Zero means
	// DefaultMaxBatch.
	MaxBatch int

	// OnCheckpoint, when set, receives every checkpoint once it is durable,
	// so that it can be kept somewhere the trail's owner cannot rewrite (an
	// anchor for Verify). It runs on the writer's goroutine and must be quick.
	OnCheckpoint func(Checkpoint)

	// Logger receives recovery notices; nil logs nothing.
	Logger *slog.Logger

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ErrClosed is returned by Append and Write after Close.
var ErrClosed = errors.New("chain: writer closed")

// ErrBroken is returned after a write failed in a way that left the file in
// an unknown state; the Writer must be closed and opened again, which
// recovers the file.
var ErrBroken = errors.New("chain: writer broken")

// Writer appends audit events to a hash-chained trail. It is safe for
// concurrent use; concurrent appends are committed together.
type Writer struct {
	cfg  Config
	reqs chan *request
	stop chan struct{}
	done chan struct{}

	// owned by the writer goroutine after Open returns
	st       state
	file     *os.File
	size     int64
	sealedAt time.Time
	broken   error
	recovery Recovery
}

// state is where the chain stands.
type state struct {
	chain  string
	fileNo int
	seq    uint64 // next sequence number
	head   string // hash of the last record
	last   *Record

	unsealed int // records since the last checkpoint
}

type request struct {
	events [][]byte // each event's JSON, encoded by the caller
	done   chan result
}

type result struct {
	seq uint64
	err error
}

// Recovery reports what Open found and did.
type Recovery struct {
	// Created is true when Open started a new trail.
	Created bool

	// Unclean is true when the previous writer stopped without closing.
	Unclean bool

	// Cut describes the torn tail that was cut, or is nil.
	Cut *Cut
}

// Open opens the trail in cfg.Dir for appending, creating it or recovering
// it after a crash, and starts the writer.
func Open(ctx context.Context, cfg Config) (*Writer, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("chain: %w", err)
	}

	w := &Writer{
		cfg:  cfg,
		reqs: make(chan *request, 1024),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}

	if err := w.start(ctx); err != nil {
		if w.file != nil {
			_ = w.file.Close()
		}

		return nil, err
	}

	go w.run()

	return w, nil
}

func withDefaults(cfg Config) (Config, error) {
	switch {
	case cfg.Dir == "":
		return cfg, errors.New("chain: Config.Dir is required")
	case len(cfg.Key) != ed25519.PrivateKeySize:
		return cfg, errors.New("chain: Config.Key must be an Ed25519 private key")
	case cfg.CheckpointEvery < 0 || cfg.CheckpointInterval < 0 ||
		cfg.MaxFileBytes < 0 || cfg.MaxBatch < 0:
		return cfg, errors.New("chain: negative size or interval")
	}

	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}

	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = DefaultCheckpointInterval
	}

	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}

	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}

	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	return cfg, nil
}

// Recovery returns what Open found and did.
func (w *Writer) Recovery() Recovery {
	return w.recovery
}

// Append writes e (scrubbed of secrets, see audit.Scrub) and returns its
// sequence number once the record is durable. If ctx ends first, the event
// may or may not have been written.
func (w *Writer) Append(ctx context.Context, e audit.Event) (uint64, error) {
	b, err := encodeEvent(e)
	if err != nil {
		return 0, err
	}

	return w.submit(ctx, [][]byte{b})
}

// encodeEvent scrubs and encodes e in the caller's goroutine, so that the
// writer's goroutine only chains and hashes.
func encodeEvent(e audit.Event) ([]byte, error) {
	b, err := json.Marshal(audit.Scrub(e))
	if err != nil {
		return nil, fmt.Errorf("chain: encode event: %w", err)
	}

	return b, nil
}

// Write appends batch and returns once every record is durable. It makes a
// Writer an audit.Sink.
func (w *Writer) Write(ctx context.Context, batch []audit.Event) error {
	events := make([][]byte, len(batch))
	for i, e := range batch {
		b, err := encodeEvent(e)
		if err != nil {
			return err
		}

		events[i] = b
	}

	_, err := w.submit(ctx, events)

	return err
}

func (w *Writer) submit(ctx context.Context, events [][]byte) (uint64, error) {
	req := &request{events: events, done: make(chan result, 1)}

	select {
	case <-w.stop:
		return 0, ErrClosed
	default:
	}

	select {
	case w.reqs <- req:
	case <-w.stop:
		return 0, ErrClosed
	case <-ctx.Done():
		return 0, fmt.Errorf("chain: append: %w", context.Cause(ctx))
	}

	select {
	case res := <-req.done:
		return res.seq, res.err
	case <-w.done:
		select {
		case res := <-req.done:
			return res.seq, res.err
		default:
			return 0, ErrClosed
		}
	case <-ctx.Done():
		return 0, fmt.Errorf("chain: append (outcome unknown): %w", context.Cause(ctx))
	}
}

// Close commits what is pending, writes a closing checkpoint, and closes the
// file. It waits for the writer for as long as ctx allows.
func (w *Writer) Close(ctx context.Context) error {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}

	select {
	case <-w.done:
		return w.broken
	case <-ctx.Done():
		return fmt.Errorf("chain: close: %w", context.Cause(ctx))
	}
}

var _ audit.Sink = (*Writer)(nil)

// run is the writer goroutine: it group-commits requests, seals the chain on
// time, and closes it on stop.
func (w *Writer) run() {
	defer close(w.done)

	tick := time.NewTicker(min(w.cfg.CheckpointInterval, time.Second))
	defer tick.Stop()

	for {
		select {
		case req := <-w.reqs:
			w.commit(w.gather(req))
		case <-tick.C:
			w.sealIfDue()
		case <-w.stop:
			w.shutdown()
			return
		}
	}
}

// gather collects more pending requests into one group commit.
func (w *Writer) gather(first *request) []*request {
	group := []*request{first}
	n := len(first.events)

	for n < w.cfg.MaxBatch {
		select {
		case req := <-w.reqs:
			group = append(group, req)
			n += len(req.events)
		default:
			return group
		}
	}

	return group
}

func (w *Writer) shutdown() {
	for pending := true; pending; {
		select {
		case req := <-w.reqs:
			w.commit(w.gather(req))
		default:
			pending = false
		}
	}

	if w.broken == nil {
		w.broken = w.closeFile("")
	}

	if w.file != nil {
		_ = w.file.Close()
	}

	w.broken = errors.Join(w.broken, drainClosed(w.reqs))
}

// drainClosed refuses requests that raced with Close.
func drainClosed(reqs chan *request) error {
	for {
		select {
		case req := <-reqs:
			req.done <- result{err: ErrClosed}
		default:
			return nil
		}
	}
}

// commit writes the records of a group, with a checkpoint when one is due,
// syncs once, and answers every request.
func (w *Writer) commit(group []*request) {
	if w.broken != nil {
		answer(group, nil, fmt.Errorf("%w: %w", ErrBroken, w.broken))
		return
	}

	saved, start := w.st, w.size
	seqs := make([]uint64, len(group))

	var buf []byte
	for i, req := range group {
		seqs[i] = w.st.seq
		for _, ev := range req.events {
			buf = w.appendEvent(buf, ev)
		}
	}

	if w.st.unsealed >= w.cfg.CheckpointEvery {
		buf = append(buf, w.checkpointLine(false, "")...)
	}

	if err := w.writeSync(buf); err != nil {
		w.rollback(saved, start, err)
		answer(group, nil, fmt.Errorf("chain: write: %w", err))
		return
	}

	w.afterSeal()
	answer(group, seqs, nil)
	w.rotateIfDue()
}

func answer(group []*request, seqs []uint64, err error) {
	for i, req := range group {
		res := result{err: err}
		if err == nil {
			res.seq = seqs[i]
		}

		req.done <- res
	}
}

// next chains r to the state and returns its encoded line. Encoding an
// Event cannot fail (its fields are plain data), so an error is a bug.
func (w *Writer) next(r *Record) []byte {
	r.Seq, r.Prev, r.Time = w.st.seq, w.st.head, w.cfg.Now().UTC()

	line, hash, err := encode(r)
	if err != nil {
		panic(err)
	}

	w.st.seq++
	w.st.head = hash
	w.st.last = r
	w.st.unsealed++

	return line
}

// eventRecord stands for the last record when it is an event; only its
// type is read.
var eventRecord = &Record{Type: TypeEvent}

// appendEvent chains an event record whose event JSON is ev and appends its
// line to buf. The body is assembled by hand in the field order and format
// that encoding/json gives a Record, so that it decodes as one.
func (w *Writer) appendEvent(buf, ev []byte) []byte {
	body := make([]byte, 0, len(ev)+192)
	body = append(body, `{"seq":`...)
	body = strconv.AppendUint(body, w.st.seq, 10)
	body = append(body, `,"prev":"`...)
	body = append(body, w.st.head...)
	body = append(body, `","type":"event","time":"`...)
	body = w.cfg.Now().UTC().AppendFormat(body, time.RFC3339Nano)
	body = append(body, `","event":`...)
	body = append(body, ev...)
	body = append(body, '}')

	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])

	buf = append(buf, `{"hash":"`...)
	buf = append(buf, hash...)
	buf = append(buf, `","body":`...)
	buf = append(buf, body...)
	buf = append(buf, "}\n"...)

	w.st.seq++
	w.st.head = hash
	w.st.last = eventRecord
	w.st.unsealed++

	return buf
}

// checkpointLine seals the chain so far.
func (w *Writer) checkpointLine(final bool, next string) []byte {
	c := &Checkpoint{
		Chain: w.st.chain, Seq: w.st.seq - 1, Head: w.st.head, Final: final, Next: next,
	}
	c.sign(w.cfg.Key)

	line := w.next(&Record{Type: TypeCheckpoint, Checkpoint: c})
	w.st.unsealed = 0

	return line
}

// afterSeal publishes a checkpoint that has just become durable.
func (w *Writer) afterSeal() {
	last := w.st.last
	if last == nil || last.Type != TypeCheckpoint || w.st.unsealed != 0 {
		return
	}

	w.sealedAt = w.cfg.Now()

	if w.cfg.OnCheckpoint != nil && !last.Checkpoint.Final {
		w.cfg.OnCheckpoint(*last.Checkpoint)
	}
}

func (w *Writer) writeSync(buf []byte) error {
	n, err := w.file.Write(buf)
	w.size += int64(n)

	if err != nil {
		return err
	}

	return w.file.Sync()
}

// rollback undoes a failed write: the file is cut back to where the write
// began, and the state restored. If that fails too, the writer is broken.
func (w *Writer) rollback(saved state, size int64, cause error) {
	w.st = saved

	if err := w.file.Truncate(size); err != nil {
		w.broken = errors.Join(cause, err)
		return
	}

	if _, err := w.file.Seek(size, 0); err != nil {
		w.broken = errors.Join(cause, err)
		return
	}

	w.size = size
}

func (w *Writer) sealIfDue() {
	if w.broken != nil || w.st.unsealed == 0 {
		return
	}

	if w.cfg.Now().Sub(w.sealedAt) < w.cfg.CheckpointInterval {
		return
	}

	saved, start := w.st, w.size
	if err := w.writeSync(w.checkpointLine(false, "")); err != nil {
		w.rollback(saved, start, err)
		w.log("chain: checkpoint failed", err)

		return
	}

	w.afterSeal()
}

func (w *Writer) rotateIfDue() {
	if w.size < w.cfg.MaxFileBytes {
		return
	}

	next := FileName(w.st.fileNo + 1)
	if err := w.closeFile(next); err != nil {
		w.broken = err
		return
	}

	if err := w.createFile(w.st.fileNo+1, "rotate", true); err != nil {
		w.broken = err
	}
}

// closeFile writes the file's closing checkpoint and syncs it.
func (w *Writer) closeFile(next string) error {
	if err := w.writeSync(w.checkpointLine(true, next)); err != nil {
		return fmt.Errorf("chain: closing checkpoint: %w", err)
	}

	w.sealedAt = w.cfg.Now()

	if next != "" {
		if err := w.file.Close(); err != nil {
			return fmt.Errorf("chain: %w", err)
		}

		w.file = nil
	}

	return nil
}

// createFile creates file number n, writes its open record and a checkpoint,
// and syncs the file and the directory.
func (w *Writer) createFile(n int, reason string, clean bool) error {
	name := FileName(n)
	path := filepath.Join(w.cfg.Dir, name)

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.file, w.size, w.st.fileNo = f, 0, n

	open := &Opening{Chain: w.st.chain, File: name, Reason: reason, Clean: clean}
	buf := w.next(&Record{Type: TypeOpen, Open: open})
	buf = append(buf, w.checkpointLine(false, "")...)

	if err := w.writeSync(buf); err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.afterSeal()

	return syncDir(w.cfg.Dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}
	defer d.Close()

	if err := d.Sync(); err != nil {
		return fmt.Errorf("chain: sync %s: %w", dir, err)
	}

	return nil
}

func (w *Writer) log(msg string, err error, attrs ...any) {
	if w.cfg.Logger == nil {
		return
	}

	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}

	w.cfg.Logger.Warn(msg, attrs...)
}

func newChainID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)

	return hex.EncodeToString(b)
}
