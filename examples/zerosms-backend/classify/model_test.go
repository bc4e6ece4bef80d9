package classify_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
)

func TestShippedModelMatchesItsChecksum(t *testing.T) {
	enc := classify.ShippedModel()
	if got, want := classify.Checksum(enc), classify.ShippedChecksum(); got != want {
		t.Fatalf("model sha256 %s, checksum file says %s", got, want)
	}

	m, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}

	md := m.Metadata
	if md.Format != classify.FormatVersion || md.Version == "" || len(md.Corpora) != 2 ||
		md.Examples != md.Corpora[0].Examples+md.Corpora[1].Examples {
		t.Errorf("metadata %+v", md)
	}

	if md.Config != classify.DefaultConfig {
		t.Errorf("shipped config %+v, DefaultConfig %+v: retrain the model", md.Config, classify.DefaultConfig)
	}

	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(buf.Bytes(), enc) {
		t.Error("decoding and encoding the shipped model changes it")
	}
}

func TestShippedModelClassifies(t *testing.T) {
	m, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}

	spam := []string{
		"WINNER!! You have been selected to receive a £900 prize reward! To claim call 09061701461. Valid 12 hours only.",
		"URGENT! Your mobile number has won a 2000 cash award. Call 09058094455 from land line. Claim ASAP",
	}
	ham := []string{
		"Are we still meeting for lunch tomorrow? I'll be there around 1",
		"Ok lar... Joking wif u oni...",
	}

	for _, s := range spam {
		if !m.IsSpam(s) {
			t.Errorf("not spam (score %.3f): %s", m.Score(s), s)
		}
	}

	for _, s := range ham {
		if m.IsSpam(s) {
			t.Errorf("spam (score %.3f): %s", m.Score(s), s)
		}
	}
}

func TestDecodeRejectsCorruptModels(t *testing.T) {
	good := classify.ShippedModel()
	sum := classify.Checksum(good)

	tests := []struct {
		name     string
		enc      []byte
		checksum string
	}{
		{"checksum mismatch", append(bytes.Clone(good[:len(good)-1]), ' '), sum},
		{"not json", []byte("{"), ""},
		{"wrong format", bytes.Replace(good, []byte(`"format": 1`), []byte(`"format": 9`), 1), ""},
		{"bucket out of range", bytes.Replace(good, []byte(`"weights": [`), []byte(`"weights": [[99999999,1],`), 1), ""},
		{"bad config", bytes.Replace(good, []byte(`"bits": 18`), []byte(`"bits": 40`), 1), ""},
		{"bad weight", bytes.Replace(good, []byte(`"weights": [`), []byte(`"weights": [[1,"x"],`), 1), ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := classify.Decode(tt.enc, tt.checksum); !errors.Is(err, classify.ErrCorruptModel) {
				t.Fatalf("Decode = %v, want ErrCorruptModel", err)
			}
		})
	}
}

func smallSet() []classify.Example {
	return []classify.Example{
		{Text: "WIN a FREE prize now call 09061701461", Spam: true},
		{Text: "You have won cash! Claim now, text WIN to 87121", Spam: true},
		{Text: "URGENT your account will be blocked, verify at http://x.example", Spam: true},
		{Text: "Free entry in a weekly competition, txt FA to 87121", Spam: true},
		{Text: "see you at lunch tomorrow", Spam: false},
		{Text: "ok i will call you later", Spam: false},
		{Text: "Rs 500 debited from A/c XX1234 on 05-11-25 UPI Ref 123456789012", Spam: false},
		{Text: "what time is the movie tonight?", Spam: false},
		{Text: "can you pick up milk on the way home", Spam: false},
		{Text: "happy birthday! have a great day", Spam: false},
	}
}

func TestTrainIsDeterministicAndRoundTrips(t *testing.T) {
	cfg := classify.DefaultConfig
	cfg.Features.Bits = 12
	cfg.ThresholdFolds = 2

	encode := func() []byte {
		m, err := classify.Train(smallSet(), cfg)
		if err != nil {
			t.Fatal(err)
		}

		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}

		return buf.Bytes()
	}

	a, b := encode(), encode()
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings on the same data differ")
	}

	m, err := classify.Decode(a, classify.Checksum(a))
	if err != nil {
		t.Fatal(err)
	}

	if !m.IsSpam("WIN a FREE prize, call now") || m.IsSpam("see you at lunch") {
		t.Error("a model trained on the small set does not separate it")
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	onlyHam := []classify.Example{{Text: "a"}, {Text: "b"}, {Text: "c"}}
	if _, err := classify.Train(onlyHam, classify.DefaultConfig); !errors.Is(err, classify.ErrNoExamples) {
		t.Errorf("Train(only ham) = %v, want ErrNoExamples", err)
	}

	bad := classify.DefaultConfig
	bad.Epochs = 0
	if _, err := classify.Train(smallSet(), bad); err == nil || !strings.HasPrefix(err.Error(), "classify:") {
		t.Errorf("Train(0 epochs) = %v, want a classify error", err)
	}
}

func TestMeasure(t *testing.T) {
	spam := []bool{true, true, false, false, true, false}
	logits := []float64{3, 1, -1, 2, -2, -3}

	m := classify.Measure(spam, logits, 0)
	if m.TP != 2 || m.FP != 1 || m.TN != 2 || m.FN != 1 {
		t.Fatalf("confusion %+v", m)
	}

	if math.Abs(m.F1-2.0/3) > 1e-12 || math.Abs(m.Precision-2.0/3) > 1e-12 {
		t.Errorf("F1 %v precision %v, want 2/3", m.F1, m.Precision)
	}

	// Spam scores 3, 1, -2 against ham 2, -1, -3: 6 of 9 pairs ordered right.
	if math.Abs(m.AUC-6.0/9) > 1e-12 {
		t.Errorf("AUC %v, want 6/9", m.AUC)
	}

	tied := classify.Measure([]bool{true, false}, []float64{1, 1}, 0)
	if tied.AUC != 0.5 {
		t.Errorf("AUC of a tie %v, want 0.5", tied.AUC)
	}
}

func TestSplitIsStratifiedAndSeeded(t *testing.T) {
	var ex []classify.Example
	for i := range 100 {
		ex = append(ex, classify.Example{Text: strings.Repeat("x", i+1), Spam: i%5 == 0})
	}

	train, test := classify.Split(ex, 0.2, 1)
	if len(test) != 20 || len(train) != 80 {
		t.Fatalf("split %d/%d", len(train), len(test))
	}

	spam := 0
	for _, e := range test {
		if e.Spam {
			spam++
		}
	}

	if spam != 4 {
		t.Errorf("%d spam in the test split, want 4", spam)
	}

	_, again := classify.Split(ex, 0.2, 1)
	for i := range test {
		if test[i] != again[i] {
			t.Fatal("the same seed gives another split")
		}
	}
}
