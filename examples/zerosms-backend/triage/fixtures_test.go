package triage_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/triage"
)

// TestBankFixturesTriage: on the parser's bank SMS fixtures, which the model
// never saw, no parsed transaction is flagged, phishing and promotions are,
// and at most 6 of the 36 genuine bank messages are (11 by the model alone).
func TestBankFixturesTriage(t *testing.T) {
	raw, err := os.ReadFile("../smsparse/testdata/bank-sms/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}

	tr, err := triage.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	genuine, flagged := 0, 0

	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var c struct {
			ID, Text string
			Expect   struct{ Category string }
		}

		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}

		v, err := tr.Inspect(c.Text)
		if err != nil {
			t.Fatal(err)
		}

		switch c.Expect.Category {
		case "phishing", "promotional":
			if !v.Spam {
				t.Errorf("%s: %s not flagged", c.ID, c.Expect.Category)
			}

			continue
		}

		genuine++

		if v.Spam {
			flagged++
		}

		if v.Suspicious() {
			t.Errorf("%s: transaction flagged as spam (score %.3f)", c.ID, v.SpamScore)
		}
	}

	if genuine != 36 || flagged > 6 {
		t.Errorf("%d of %d genuine bank messages flagged, want at most 6", flagged, genuine)
	}

	t.Logf("%d of %d genuine bank messages flagged", flagged, genuine)
}
