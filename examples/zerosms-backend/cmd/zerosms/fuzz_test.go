package main

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadSMS: any input gives messages with text, sender and id, or
// ErrSMSFile; never a panic.
func FuzzReadSMS(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"Rs.500 debited","sender":"VM-HDFCBK"}` + "\n"))
	f.Add([]byte(`{"body":"x"}` + "\n\n" + `{"text":"y","received_at":"2025-10-20T10:00:00Z"}`))
	f.Add([]byte(`{"text":""}`))
	f.Add([]byte("not json\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := readSMS(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrSMSFile) {
				t.Fatalf("error %v does not match ErrSMSFile", err)
			}

			return
		}

		for _, m := range list {
			if m.Text == "" || m.Sender == "" || m.ID == "" {
				t.Fatalf("incomplete message %+v", m)
			}
		}
	})
}
