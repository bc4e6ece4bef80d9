package web

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// ContentSecurityPolicy is the policy the UI is built to run under: no inline
// script or style, nothing loaded from another origin, no framing. The
// end-to-end tests run the built UI under the same policy (csp.ts).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders returns the headers that every response of the UI carries.
// The public service should send them on its API answers too.
func SecurityHeaders() http.Header {
	return http.Header{
		"Content-Security-Policy":      {ContentSecurityPolicy},
		"X-Content-Type-Options":       {"nosniff"},
		"Referrer-Policy":              {"no-referrer"},
		"X-Frame-Options":              {"DENY"},
		"Cross-Origin-Opener-Policy":   {"same-origin"},
		"Cross-Origin-Resource-Policy": {"same-origin"},
		"Permissions-Policy":           {"camera=(), microphone=(), geolocation=(), payment=()"},
	}
}

// Handler serves the single-page application from fsys (usually Files()):
// files as they are, with long caching for the content-hashed assets/ folder,
// and index.html, never cached, for every other path that names no file
// (history fallback), so that a reload of /dashboard works. Paths under /api/
// are not its business and get 404. Every answer carries SecurityHeaders, and
// on a served page the public service should add Strict-Transport-Security.
func Handler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range SecurityHeaders() {
			w.Header()[k] = v
		}

		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)

			return
		}

		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "api" || strings.HasPrefix(name, "api/") {
			http.NotFound(w, r)

			return
		}

		if name != "" && name != IndexFile && isFile(fsys, name) {
			if strings.HasPrefix(name, "assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}

			files.ServeHTTP(w, r)

			return
		}

		serveIndex(w, r, fsys, name)
	})
}

// serveIndex answers with index.html, or 404 for a missing file that has an
// extension (a stale asset link should not load the page as a script).
func serveIndex(w http.ResponseWriter, r *http.Request, fsys fs.FS, name string) {
	if path.Ext(name) != "" && name != IndexFile {
		http.NotFound(w, r)

		return
	}

	page, err := fs.ReadFile(fsys, IndexFile)
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, ErrNotBuilt.Error(), http.StatusServiceUnavailable)

		return
	}

	if err != nil {
		http.Error(w, "web: cannot read the UI", http.StatusInternalServerError)

		return
	}

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}

func isFile(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)

	return err == nil && !st.IsDir()
}
