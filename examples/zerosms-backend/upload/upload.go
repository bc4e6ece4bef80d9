// Package upload defines the batch upload of SMS from a device: the request
// and response, their validation and limits, and the idempotency that lets a
// device resend a batch after a lost response without storing anything twice.
//
// Each message carries a client message id, unique per device, and a sequence
// number that the device increases with every message it reads. The server
// answers with per-message results and its high-water mark: the highest
// sequence number stored for the device. A device may forget every message at
// or below the mark; a resent message is reported as a duplicate, never stored
// again. The package is independent of HTTP.
package upload

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// Limits of a batch. A batch beyond them is refused whole; a message that
// breaks a per-message rule is rejected alone.
const (
	// MaxMessages is the most messages one batch may carry.
	MaxMessages = 500

	// MaxBatchBytes bounds the sum of the message bodies of one batch.
	MaxBatchBytes = 1 << 20

	// MaxSender bounds the length of a sender id such as "VM-HDFCBK".
	MaxSender = 32

	// MaxClockSkew is how far in the future a receive time may be.
	MaxClockSkew = 5 * time.Minute

	// MaxAge is how old a message may be.
	MaxAge = 400 * 24 * time.Hour
)

// ErrInvalidBatch is matched by the errors of a batch refused whole.
var ErrInvalidBatch = errors.New("upload: invalid batch")

// Batch is one upload request from a device.
type Batch struct {
	// DeviceID is the enrolled device that sends the batch; the caller checks
	// that it is the device the request's proof of possession is bound to.
	DeviceID string `json:"device_id"`

	// Messages are the SMS, in any order.
	Messages []Message `json:"messages"`
}

// Message is one SMS as the device read it.
type Message struct {
	// ClientID identifies the message on the device: 1 to 64 characters of
	// letters, digits, ".", "_", ":" and "-", unique per device.
	ClientID string `json:"client_id"`

	// Seq is the device's sequence number for the message, from 1, increasing
	// in the order the device read its messages.
	Seq uint64 `json:"seq"`

	// Sender is the SMS sender id, for example "VM-HDFCBK".
	Sender string `json:"sender"`

	// Body is the text of the SMS.
	Body string `json:"body"`

	// ReceivedAt is when the phone received the SMS.
	ReceivedAt time.Time `json:"received_at"`
}

// Status is the outcome of one message of a batch.
type Status string

// The outcomes of a message.
const (
	// StatusAccepted means the message is new and stored.
	StatusAccepted Status = "accepted"

	// StatusDuplicate means the message was stored before; nothing changed.
	StatusDuplicate Status = "duplicate"

	// StatusRejected means the message is invalid or conflicts with a stored
	// one; Reason says why. Resending it unchanged will not help.
	StatusRejected Status = "rejected"
)

// Rejection reasons; stable codes for the device and the audit trail.
const (
	ReasonClientID   = "invalid_client_id"   // not 1 to 64 allowed characters
	ReasonSeq        = "invalid_seq"         // zero
	ReasonSender     = "invalid_sender"      // empty, too long or not UTF-8
	ReasonBody       = "invalid_body"        // empty, too long or not UTF-8
	ReasonReceivedAt = "invalid_received_at" // missing, in the future or too old
	ReasonConflict   = "conflict"            // id or seq stored with other content
	ReasonRepeated   = "repeated_in_batch"   // id or seq twice in one batch
)

// Result is the outcome of one message, in the order of the request.
type Result struct {
	// ClientID is the message's client id as sent.
	ClientID string `json:"client_id"`

	// Status is the outcome.
	Status Status `json:"status"`

	// Reason is the rejection reason, for StatusRejected.
	Reason string `json:"reason,omitempty"`
}

// Response answers a batch.
type Response struct {
	// Results hold one result per message, in request order.
	Results []Result `json:"results"`

	// Accepted, Duplicates and Rejected count the results.
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`

	// HighWaterMark is the highest sequence number stored for the device; the
	// device may forget every message at or below it.
	HighWaterMark uint64 `json:"high_water_mark"`
}

var clientIDRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Check refuses a batch that breaks the batch-wide limits.
func (b *Batch) Check() error {
	switch {
	case !clientIDRe.MatchString(b.DeviceID):
		return fmt.Errorf("%w: bad device id", ErrInvalidBatch)
	case len(b.Messages) == 0:
		return fmt.Errorf("%w: no messages", ErrInvalidBatch)
	case len(b.Messages) > MaxMessages:
		return fmt.Errorf("%w: %d messages, at most %d",
			ErrInvalidBatch, len(b.Messages), MaxMessages)
	}

	total := 0
	for i := range b.Messages {
		total += len(b.Messages[i].Body)
	}

	if total > MaxBatchBytes {
		return fmt.Errorf("%w: %d bytes of messages, at most %d",
			ErrInvalidBatch, total, MaxBatchBytes)
	}

	return nil
}

// Validate returns the rejection reason of a message, or "" when it is valid.
func (m *Message) Validate(now time.Time) string {
	switch {
	case !clientIDRe.MatchString(m.ClientID):
		return ReasonClientID
	case m.Seq == 0:
		return ReasonSeq
	case m.Sender == "" || len(m.Sender) > MaxSender || !utf8.ValidString(m.Sender):
		return ReasonSender
	case m.Body == "" || len(m.Body) > smsparse.MaxLength || !utf8.ValidString(m.Body):
		return ReasonBody
	case m.ReceivedAt.IsZero() || m.ReceivedAt.After(now.Add(MaxClockSkew)) ||
		m.ReceivedAt.Before(now.Add(-MaxAge)):
		return ReasonReceivedAt
	}

	return ""
}

// digest identifies a message's content, so that a resend with the same id
// but other content is caught as a conflict.
func (m *Message) digest() [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%d", m.Seq, m.Sender, m.Body, m.ReceivedAt.UnixNano())

	var d [32]byte
	h.Sum(d[:0])

	return d
}
