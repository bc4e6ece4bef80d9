package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

// Outcome is what the backend made of one stored message.
type Outcome struct {
	// Kind is "transaction", "refused" or "invalid"; empty until triaged.
	Kind string `json:"kind,omitempty"`

	// Refusal is the parser's reason when the message moves no money.
	Refusal string `json:"refusal,omitempty"`

	// Spam and SpamScore are the classifier's verdict.
	Spam      bool    `json:"spam"`
	SpamScore float64 `json:"spam_score"`

	// Transaction is the parsed transaction, as JSON.
	Transaction json.RawMessage `json:"transaction,omitempty"`

	// Forward is "pending", "sent", "failed" or "skipped" for a transaction.
	Forward string `json:"forward,omitempty"`

	// DraftID is the platform's draft, once sent.
	DraftID string `json:"draft_id,omitempty"`

	// Error says why forwarding failed, for the operator.
	Error string `json:"error,omitempty"`
}

// Message is a stored message with its outcome.
type Message struct {
	upload.Message

	// StoredAt is when the backend stored it.
	StoredAt time.Time `json:"stored_at"`

	// Outcome is what the backend made of it.
	Outcome Outcome `json:"outcome"`
}

// Messages returns a device's messages in sequence order.
func (s *Store) Messages(ctx context.Context, deviceID string) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT client_id, seq, sender, body, received_at,
		stored_at, outcome FROM messages WHERE device_id = ? ORDER BY seq`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()

	var out []Message

	for rows.Next() {
		var (
			m                 Message
			seq, recv, stored int64
			outcome           string
		)

		if err := rows.Scan(&m.ClientID, &seq, &m.Sender, &m.Body, &recv, &stored,
			&outcome); err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}

		m.Seq, m.ReceivedAt = uint64(seq), time.Unix(0, recv).UTC()
		m.StoredAt = time.Unix(0, stored).UTC()

		if err := json.Unmarshal([]byte(outcome), &m.Outcome); err != nil {
			return nil, fmt.Errorf("store: outcome: %w", err)
		}

		out = append(out, m)
	}

	return out, rows.Err()
}

// SetOutcome records what the backend made of a message.
func (s *Store) SetOutcome(ctx context.Context, deviceID, clientID string, o Outcome) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("store: outcome: %w", err)
	}

	_, err = s.db.ExecContext(ctx, `UPDATE messages SET outcome = ?
		WHERE device_id = ? AND client_id = ?`, string(b), deviceID, clientID)
	if err != nil {
		return fmt.Errorf("store: outcome: %w", err)
	}

	return nil
}

// HighWaterMark returns the highest sequence number stored for a device.
func (s *Store) HighWaterMark(ctx context.Context, deviceID string) (uint64, error) {
	var n int64

	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM messages
		WHERE device_id = ?`, deviceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: high-water mark: %w", err)
	}

	return uint64(n), nil
}
