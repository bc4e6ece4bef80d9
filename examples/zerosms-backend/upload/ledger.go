package upload

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Ledger remembers, per device, which messages are stored and the high-water
// mark, and applies batches idempotently. This one keeps its state in memory;
// a store-backed one keeps the same contract. It is safe for concurrent use.
type Ledger struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// Store is called with the accepted messages of a batch before they are
	// recorded; when it fails nothing is recorded and Apply returns its error,
	// so that a retry of the batch stores them then. Nil stores nothing.
	Store func(ctx context.Context, deviceID string, accepted []Message) error

	// Load returns the messages stored for a device before this ledger
	// started, so that a restarted server keeps its idempotency. It is
	// called once per device, before the device's first batch; nil means
	// nothing was stored before.
	Load func(ctx context.Context, deviceID string) ([]Message, error)

	mu      sync.Mutex
	devices map[string]*deviceState
}

// deviceState is what the ledger knows of one device.
//
// TODO(upload-store): this in-memory state keeps every client id of a device;
// the store-backed ledger keeps them in the database with the messages.
type deviceState struct {
	mu       sync.Mutex
	seen     map[string][32]byte
	bySeq    map[uint64]string
	highMark uint64
	loaded   bool
}

func (l *Ledger) state(deviceID string) *deviceState {
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.devices == nil {
		l.devices = map[string]*deviceState{}
	}

	s := l.devices[deviceID]
	if s == nil {
		s = &deviceState{seen: map[string][32]byte{}, bySeq: map[uint64]string{}}
		l.devices[deviceID] = s
	}

	return s
}

// Apply validates a batch, stores its new messages and returns the result of
// every message. Applying the same batch again stores nothing and reports its
// messages as duplicates. Batches of one device are applied one at a time.
func (l *Ledger) Apply(ctx context.Context, b *Batch) (*Response, error) {
	if err := b.Check(); err != nil {
		return nil, err
	}

	now := time.Now
	if l.Now != nil {
		now = l.Now
	}

	s := l.state(b.DeviceID)
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := l.load(ctx, b.DeviceID, s); err != nil {
		return nil, err
	}

	resp, accepted := s.classify(b, now())
	if len(accepted) > 0 && l.Store != nil {
		if err := l.Store(ctx, b.DeviceID, accepted); err != nil {
			return nil, err
		}
	}

	for i := range accepted {
		s.record(&accepted[i])
	}

	resp.HighWaterMark = s.highMark

	return resp, nil
}

// load fills s from the stored messages once.
func (l *Ledger) load(ctx context.Context, deviceID string, s *deviceState) error {
	if s.loaded || l.Load == nil {
		s.loaded = true
		return nil
	}

	stored, err := l.Load(ctx, deviceID)
	if err != nil {
		return fmt.Errorf("upload: load %s: %w", deviceID, err)
	}

	for i := range stored {
		s.record(&stored[i])
	}

	s.loaded = true

	return nil
}

// classify decides each message's outcome without changing the state.
func (s *deviceState) classify(b *Batch, now time.Time) (*Response, []Message) {
	resp := &Response{Results: make([]Result, len(b.Messages))}
	inBatch := map[string]bool{}
	seqs := map[uint64]bool{}

	var accepted []Message

	for i := range b.Messages {
		m := &b.Messages[i]
		status, reason := s.outcome(m, now, inBatch, seqs)

		resp.Results[i] = Result{ClientID: m.ClientID, Status: status, Reason: reason}
		switch status {
		case StatusAccepted:
			resp.Accepted++
			accepted = append(accepted, *m)
		case StatusDuplicate:
			resp.Duplicates++
		default:
			resp.Rejected++
		}
	}

	return resp, accepted
}

func (s *deviceState) outcome(m *Message, now time.Time, inBatch map[string]bool,
	seqs map[uint64]bool) (Status, string) {
	if reason := m.Validate(now); reason != "" {
		return StatusRejected, reason
	}

	if inBatch[m.ClientID] || seqs[m.Seq] {
		return StatusRejected, ReasonRepeated
	}

	inBatch[m.ClientID], seqs[m.Seq] = true, true

	if d, ok := s.seen[m.ClientID]; ok {
		if d != m.digest() {
			return StatusRejected, ReasonConflict
		}

		return StatusDuplicate, ""
	}

	if other, ok := s.bySeq[m.Seq]; ok && other != m.ClientID {
		return StatusRejected, ReasonConflict
	}

	return StatusAccepted, ""
}

func (s *deviceState) record(m *Message) {
	s.seen[m.ClientID] = m.digest()
	s.bySeq[m.Seq] = m.ClientID

	if m.Seq > s.highMark {
		s.highMark = m.Seq
	}
}

// HighWaterMark returns the highest sequence number stored for a device.
func (l *Ledger) HighWaterMark(deviceID string) uint64 {
	s := l.state(deviceID)
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.highMark
}
