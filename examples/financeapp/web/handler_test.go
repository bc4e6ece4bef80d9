package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

var testUI = fstest.MapFS{
	"index.html":          {Data: []byte(`<!doctype html><script type="module" src="/assets/app-1.js"></script>`)},
	"assets/app-1.js":     {Data: []byte(`console.log(1)`)},
	"favicon.svg":         {Data: []byte(`<svg/>`)},
	"assets/nested/x.css": {Data: []byte(`a{}`)},
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))

	return rec
}

func TestHandlerRoutes(t *testing.T) {
	h := Handler(testUI)
	cases := []struct {
		name, method, target string
		status               int
		body, cache          string
	}{
		{"root is the page", "GET", "/", 200, "<!doctype html>", "no-cache"},
		{"a route falls back to the page", "GET", "/dashboard", 200, "<!doctype html>", "no-cache"},
		{"a deep route falls back", "GET", "/auditor/0123/x", 200, "<!doctype html>", "no-cache"},
		{"index.html itself", "GET", "/index.html", 200, "<!doctype html>", "no-cache"},
		{"an asset is cached for good", "GET", "/assets/app-1.js", 200, "console.log", "immutable"},
		{"a public file", "GET", "/favicon.svg", 200, "<svg/>", ""},
		{"a missing asset is 404", "GET", "/assets/app-2.js", 404, "", ""},
		{"a folder is not listed", "GET", "/assets/", 200, "<!doctype html>", "no-cache"},
		{"the API is not served here", "GET", "/api/session", 404, "", ""},
		{"dot segments stay inside", "GET", "/../../etc/passwd", 200, "<!doctype html>", "no-cache"},
		{"HEAD works", "HEAD", "/dashboard", 200, "", "no-cache"},
		{"POST is refused", "POST", "/dashboard", 405, "", ""},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.method, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("%s %s: status %d, want %d", tc.method, tc.target, rec.Code, tc.status)
			}

			if !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("body %q does not contain %q", rec.Body.String(), tc.body)
			}

			if !strings.Contains(rec.Header().Get("Cache-Control"), tc.cache) {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tc.cache)
			}

			if got := rec.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("Content-Security-Policy = %q", got)
			}
		})
	}
}

func TestHandlerWithoutBuild(t *testing.T) {
	rec := get(t, Handler(fstest.MapFS{".gitkeep": {}}), "GET", "/dashboard")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d without a build, want 503", rec.Code)
	}
}

// TestPolicyMatchesVite checks that the Go policy is the one the end-to-end
// tests run the UI under (csp.ts), so that the two cannot drift apart.
func TestPolicyMatchesVite(t *testing.T) {
	src, err := os.ReadFile("csp.ts")
	if err != nil {
		t.Fatal(err)
	}

	block := regexp.MustCompile(`(?s)contentSecurityPolicy = \[(.*?)\]\.join\('; '\)`).FindSubmatch(src)
	if block == nil {
		t.Fatal("csp.ts: contentSecurityPolicy not found")
	}

	var parts []string
	for _, m := range regexp.MustCompile(`"([^"]+)"`).FindAllSubmatch(block[1], -1) {
		parts = append(parts, string(m[1]))
	}

	if got := strings.Join(parts, "; "); got != ContentSecurityPolicy {
		t.Errorf("csp.ts policy\n%s\ndiffers from ContentSecurityPolicy\n%s", got, ContentSecurityPolicy)
	}

	for k := range SecurityHeaders() {
		if !strings.Contains(string(src), "'"+k+"'") {
			t.Errorf("csp.ts lacks the header %s", k)
		}
	}
}
