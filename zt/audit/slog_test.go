package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// TestSlogSinkJSONRecordHasUniqueKeys: with slog's JSON handler, the usual
// way to write an audit log file, each record must be a JSON object whose
// top-level names are unique. A second "time" (the event's, after the
// handler's own) leaves it to each reader's parser which one it keeps.
func TestSlogSinkJSONRecordHasUniqueKeys(t *testing.T) {
	var buf bytes.Buffer

	sink := audit.NewSlogSink(slog.New(slog.NewJSONHandler(&buf, nil)))
	ev := audit.Event{ID: "e1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Kind: "decision", Action: "transactions.read", Decision: "allow"}

	if err := sink.Write(context.Background(), []audit.Event{ev}); err != nil {
		t.Fatal(err)
	}

	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}

	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}

		key, _ := tok.(string)
		if seen[key] {
			t.Errorf("key %q appears twice in %s", key, buf.Bytes())
		}

		seen[key] = true

		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
}
