package smsparse_test

import (
	"testing"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// BenchmarkParse parses every test case in turn; messages/s is the figure to
// compare with the throughput target.
func BenchmarkParse(b *testing.B) {
	cases := allCases(b)
	texts := make([]string, len(cases))

	for i, c := range cases {
		texts[i] = c.Text
	}

	b.ReportAllocs()
	b.ResetTimer()

	for i := 0; b.Loop(); i++ {
		_, _ = smsparse.Parse(texts[i%len(texts)])
	}

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
