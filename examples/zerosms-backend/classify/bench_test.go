package classify_test

import (
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
)

// BenchmarkLogit scores one typical bank SMS with the shipped model.
func BenchmarkLogit(b *testing.B) {
	m, err := classify.Default()
	if err != nil {
		b.Fatal(err)
	}

	const text = "Rs.500.00 debited from A/c XX4821 on 20-Oct-25 to merchant@upi (UPI Ref No 604218375519)"

	b.ReportAllocs()

	for b.Loop() {
		_ = m.Logit(text)
	}
}
