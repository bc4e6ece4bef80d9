package upload_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func msg(i int) upload.Message {
	return upload.Message{
		ClientID:   fmt.Sprintf("m-%d", i),
		Seq:        uint64(i),
		Sender:     "VM-HDFCBK",
		Body:       fmt.Sprintf("Rs.%d.00 debited from A/c XX4821 on 20-Oct-25", i),
		ReceivedAt: now.Add(-time.Hour),
	}
}

func batch(msgs ...upload.Message) *upload.Batch {
	return &upload.Batch{DeviceID: "dev-1", Messages: msgs}
}

func newLedger() (*upload.Ledger, *[]upload.Message) {
	var stored []upload.Message

	l := &upload.Ledger{
		Now: func() time.Time { return now },
		Store: func(_ context.Context, _ string, accepted []upload.Message) error {
			stored = append(stored, accepted...)

			return nil
		},
	}

	return l, &stored
}

func TestReuploadIsIdempotent(t *testing.T) {
	l, stored := newLedger()
	ctx := context.Background()
	b := batch(msg(1), msg(2), msg(3))

	first, err := l.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}

	if first.Accepted != 3 || first.HighWaterMark != 3 {
		t.Fatalf("first upload %+v", first)
	}

	again, err := l.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}

	if again.Duplicates != 3 || again.Accepted != 0 || len(*stored) != 3 {
		t.Fatalf("re-upload %+v, %d stored", again, len(*stored))
	}

	mixed, err := l.Apply(ctx, batch(msg(3), msg(4)))
	if err != nil {
		t.Fatal(err)
	}

	if mixed.Results[0].Status != upload.StatusDuplicate || mixed.Results[1].Status != upload.StatusAccepted ||
		mixed.HighWaterMark != 4 || len(*stored) != 4 {
		t.Errorf("overlapping upload %+v", mixed)
	}
}

func TestPerMessageRejections(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*upload.Message)
		reason string
	}{
		{"client id", func(m *upload.Message) { m.ClientID = "bad id!" }, upload.ReasonClientID},
		{"empty client id", func(m *upload.Message) { m.ClientID = "" }, upload.ReasonClientID},
		{"seq", func(m *upload.Message) { m.Seq = 0 }, upload.ReasonSeq},
		{"sender", func(m *upload.Message) { m.Sender = strings.Repeat("S", 33) }, upload.ReasonSender},
		{"empty body", func(m *upload.Message) { m.Body = "" }, upload.ReasonBody},
		{"long body", func(m *upload.Message) { m.Body = strings.Repeat("x", 5000) }, upload.ReasonBody},
		{"invalid utf-8", func(m *upload.Message) { m.Body = "\xff" }, upload.ReasonBody},
		{"future", func(m *upload.Message) { m.ReceivedAt = now.Add(time.Hour) }, upload.ReasonReceivedAt},
		{"ancient", func(m *upload.Message) { m.ReceivedAt = now.AddDate(-2, 0, 0) }, upload.ReasonReceivedAt},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, stored := newLedger()
			bad := msg(2)
			tt.modify(&bad)

			resp, err := l.Apply(context.Background(), batch(msg(1), bad))
			if err != nil {
				t.Fatal(err)
			}

			got := resp.Results[1]
			if got.Status != upload.StatusRejected || got.Reason != tt.reason {
				t.Errorf("result %+v, want rejected %s", got, tt.reason)
			}

			if resp.Accepted != 1 || resp.Rejected != 1 || len(*stored) != 1 {
				t.Errorf("response %+v, %d stored", resp, len(*stored))
			}
		})
	}
}

func TestConflictsAndRepeats(t *testing.T) {
	l, _ := newLedger()
	ctx := context.Background()

	if _, err := l.Apply(ctx, batch(msg(1))); err != nil {
		t.Fatal(err)
	}

	changed := msg(1)
	changed.Body = "something else"

	otherID := msg(1)
	otherID.ClientID = "m-other"

	tests := []struct {
		name string
		b    *upload.Batch
		want []string
	}{
		{"same id, other content", batch(changed), []string{upload.ReasonConflict}},
		{"same seq, other id", batch(otherID), []string{upload.ReasonConflict}},
		{"repeated in batch", batch(msg(2), msg(2)), []string{"", upload.ReasonRepeated}},
	}

	for _, tt := range tests {
		resp, err := l.Apply(ctx, tt.b)
		if err != nil {
			t.Fatal(err)
		}

		for i, r := range resp.Results {
			if r.Reason != tt.want[i] {
				t.Errorf("%s: message %d: %+v, want reason %q", tt.name, i, r, tt.want[i])
			}
		}
	}
}

func TestBatchLimits(t *testing.T) {
	many := make([]upload.Message, upload.MaxMessages+1)
	for i := range many {
		many[i] = msg(i + 1)
	}

	big := make([]upload.Message, 300)
	for i := range big {
		big[i] = msg(i + 1)
		big[i].Body = strings.Repeat("x", 4000)
	}

	tests := []struct {
		name string
		b    *upload.Batch
	}{
		{"no device", &upload.Batch{Messages: []upload.Message{msg(1)}}},
		{"empty", batch()},
		{"too many", batch(many...)},
		{"too big", batch(big...)},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, stored := newLedger()
			if _, err := l.Apply(context.Background(), tt.b); !errors.Is(err, upload.ErrInvalidBatch) {
				t.Errorf("Apply = %v, want ErrInvalidBatch", err)
			}

			if len(*stored) != 0 {
				t.Error("a refused batch stored messages")
			}
		})
	}
}

func TestStoreFailureRecordsNothing(t *testing.T) {
	fail := true
	l := &upload.Ledger{
		Now: func() time.Time { return now },
		Store: func(context.Context, string, []upload.Message) error {
			if fail {
				return errors.New("database down")
			}

			return nil
		},
	}

	ctx := context.Background()
	if _, err := l.Apply(ctx, batch(msg(1))); err == nil {
		t.Fatal("store failure not reported")
	}

	if l.HighWaterMark("dev-1") != 0 {
		t.Error("high-water mark moved although nothing was stored")
	}

	fail = false

	resp, err := l.Apply(ctx, batch(msg(1)))
	if err != nil || resp.Accepted != 1 {
		t.Errorf("retry after failure: %+v %v", resp, err)
	}
}

func TestDevicesAreSeparate(t *testing.T) {
	l, _ := newLedger()
	ctx := context.Background()

	if _, err := l.Apply(ctx, batch(msg(1))); err != nil {
		t.Fatal(err)
	}

	other := &upload.Batch{DeviceID: "dev-2", Messages: []upload.Message{msg(1)}}

	resp, err := l.Apply(ctx, other)
	if err != nil || resp.Accepted != 1 {
		t.Errorf("another device's same client id: %+v %v", resp, err)
	}
}

func TestConcurrentResends(t *testing.T) {
	l, stored := newLedger()

	var mu sync.Mutex

	store := l.Store
	l.Store = func(ctx context.Context, id string, m []upload.Message) error {
		mu.Lock()
		defer mu.Unlock()

		return store(ctx, id, m)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := l.Apply(context.Background(), batch(msg(1), msg(2))); err != nil {
				t.Error(err)
			}
		})
	}

	wg.Wait()

	if len(*stored) != 2 {
		t.Errorf("%d messages stored by concurrent resends, want 2", len(*stored))
	}
}
