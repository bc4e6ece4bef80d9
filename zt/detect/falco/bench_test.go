package falco_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ztkit/ztkit/zt/detect"
	"github.com/ztkit/ztkit/zt/detect/falco"
	"github.com/ztkit/ztkit/zt/revoke"
)

// BenchmarkDecode decodes one recorded alert of each shape.
func BenchmarkDecode(b *testing.B) {
	cases := loadCases(b)
	for _, id := range []string{"F01", "F05", "F13"} {
		payload := []byte(cases[id].Payload)
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := falco.Decode(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeAndDecide decodes an alert, maps its workload and finds
// the response rule: the receiver's work before it acts.
func BenchmarkDecodeAndDecide(b *testing.B) {
	payload := []byte(loadCases(b)["F05"].Payload)
	m := mapper(b)
	r, err := detect.NewResponder(detect.ResponderConfig{})
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		a, err := falco.Decode(payload)
		if err != nil {
			b.Fatal(err)
		}
		d := a.Detection(m)
		if _, ok := r.Decide(&d); !ok {
			b.Fatal("no rule")
		}
	}
}

// BenchmarkReceiver is one authenticated POST through the receiver's
// handler, in dry-run mode (every delivery after the first is recognised
// as a duplicate, which is the receiver's steady state under retries).
func BenchmarkReceiver(b *testing.B) {
	payload := []byte(loadCases(b)["F05"].Payload)
	r, err := detect.NewResponder(detect.ResponderConfig{
		Revocations: revoke.NewList(revoke.Config{}), DryRun: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	rc, err := falco.NewReceiver(falco.ReceiverConfig{
		Handler: r, Mapper: mapper(b), Token: falco.NewSecret(testToken),
	})
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/falco",
			bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, req)
		if w.Code != http.StatusAccepted {
			b.Fatal(w.Code)
		}
	}
}
