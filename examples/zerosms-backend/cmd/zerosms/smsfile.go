package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxLine bounds one line of an SMS file.
const maxLine = 64 << 10

// ErrSMSFile is matched by every error for a malformed SMS file.
var ErrSMSFile = errors.New("zerosms: bad SMS file")

// sms is one message of an SMS file.
type sms struct {
	ID         string    `json:"id"`
	Text       string    `json:"text"`
	Body       string    `json:"body"`
	Sender     string    `json:"sender"`
	ReceivedAt time.Time `json:"received_at"`
}

// readSMS reads an SMS file: JSON lines, each an object with the message in
// "text" (or "body") and optionally "id", "sender" and "received_at"; the
// bank SMS fixtures are such a file. Blank lines are skipped; other fields
// are ignored. A message without an id gets one from its content, so that
// uploading a file again resends the same messages.
func readSMS(r io.Reader) ([]sms, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)

	var out []sms

	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}

		var m sms
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrSMSFile, n, err)
		}

		if m.Text == "" {
			m.Text = m.Body
		}

		if m.Text == "" {
			return nil, fmt.Errorf("%w: line %d: no text", ErrSMSFile, n)
		}

		if f := strings.Fields(m.Sender); len(f) > 0 {
			m.Sender = f[0]
		} else {
			m.Sender = "VM-BANK"
		}

		if m.ID == "" {
			sum := sha256.Sum256([]byte(m.Sender + "\x00" + m.Text))
			m.ID = "sha-" + hex.EncodeToString(sum[:12])
		}

		out = append(out, m)
	}

	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSMSFile, err)
	}

	return out, nil
}
