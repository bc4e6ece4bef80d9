package triage_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// reportCPU reports the CPU time per message and the messages per CPU-second,
// which is the throughput of one core whatever else the machine runs.
func reportCPU(b *testing.B, n int, cpu time.Duration) {
	if cpu <= 0 || n == 0 {
		return
	}

	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/msg")
	b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
}

// messages are the parser's fixtures and extra cases: the bank SMS mix that
// the backend ingests.
func messages(b *testing.B) []string {
	b.Helper()

	var texts []string

	for _, path := range []string{
		"../smsparse/testdata/bank-sms/cases.jsonl",
		"../smsparse/testdata/extra-cases.jsonl",
	} {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}

		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var c struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				b.Fatal(err)
			}

			texts = append(texts, c.Text)
		}

		f.Close()
	}

	return texts
}

// BenchmarkInspect parses and classifies bank SMS one after another; msgs/s is
// the throughput on one goroutine.
func BenchmarkInspect(b *testing.B) {
	tr := newTriage(b)
	texts := messages(b)

	b.ReportAllocs()

	cpu := cpuTime()
	i := 0

	for b.Loop() {
		_, _ = tr.Inspect(texts[i%len(texts)])
		i++
	}

	reportCPU(b, i, cpuTime()-cpu)
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkInspectParallel is the same on every core.
func BenchmarkInspectParallel(b *testing.B) {
	tr := newTriage(b)
	texts := messages(b)

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_, _ = tr.Inspect(texts[i%len(texts)])
			i++
		}
	})

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
