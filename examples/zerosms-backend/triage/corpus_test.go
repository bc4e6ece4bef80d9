package triage_test

import (
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify/corpus"
	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// TestNoTransactionsInSMSSpamCollection parses the 5,574 messages of the SMS
// Spam Collection, none of which is a bank alert: the parser must book none of
// them, whatever amounts and "sent", "received" or "charged" they contain.
func TestNoTransactionsInSMSSpamCollection(t *testing.T) {
	msgs, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}

	for _, m := range msgs {
		if tx, err := smsparse.Parse(m.Text); err == nil {
			t.Errorf("booked %s %v from %q", tx.Type, tx.Amount, m.Text)
		}
	}
}
