package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownAPIPathsAnswerProblem404: an unknown path under /v1, /api or
// /internal is an API mistake, not a page of the UI: it answers 404 as an
// RFC 9457 problem document, never the history fallback's index.html. Pages
// of the UI still get the fallback.
func TestUnknownAPIPathsAnswerProblem404(t *testing.T) {
	e := start(t)

	for _, path := range []string{"/v1/nonexistent", "/internal/v1/pip",
		"/api/v1/nonexistent", "/api", "/v1", "/internal/x/../v1/y"} {
		r := e.do("GET", path, "", nil)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 404", path, r.status, r.header.Get("Content-Type"))

			continue
		}

		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("GET %s: Content-Type %q, want application/problem+json", path, ct)

			continue
		}

		var p struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || p.Status != http.StatusNotFound {
			t.Errorf("GET %s: problem %s (%v)", path, r.body, err)
		}
	}

	r := e.do("GET", "/dashboard", "", nil)
	if r.status == http.StatusNotFound {
		t.Errorf("GET /dashboard (a page of the UI): 404, want the history fallback")
	}
}
