package corpus_test

import (
	"errors"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify/corpus"
)

func TestLoadMatchesPublishedCounts(t *testing.T) {
	msgs, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}

	spam := 0
	for _, m := range msgs {
		if m.Spam {
			spam++
		}
	}

	if len(msgs) != 5574 || spam != 747 {
		t.Errorf("%d messages, %d spam; want 5574 and 747", len(msgs), spam)
	}

	const want = "fae7ea7d915ef73903e5c2f46ffa2f4a39909a574e20fda4f2b81f7cb1e15e1f"
	if got := corpus.SHA256(); got != want {
		t.Errorf("sha256 %s, want %s", got, want)
	}
}

func TestParseRejectsMalformedLines(t *testing.T) {
	for _, s := range []string{"ham no tab", "junk\ttext", "Label\tSMS\nspam"} {
		if _, err := corpus.Parse(s); !errors.Is(err, corpus.ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", s, err)
		}
	}
}
