package middleware

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzBearer checks that any Authorization header either yields a token
// without whitespace, is refused, or is left to another scheme.
func FuzzBearer(f *testing.F) {
	for _, seed := range []string{"Bearer abc.def.ghi", "bearer  x", "Bearer a b", "Basic Zm9v", "Bearer", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := &http.Request{Header: http.Header{"Authorization": {header}}, URL: &url.URL{}}
		tok, ok, err := bearer(r)
		if err != nil && ok {
			t.Fatal("error and token together")
		}
		if ok && (tok == "" || strings.ContainsAny(tok, " \t")) {
			t.Fatalf("bad token %q from %q", tok, header)
		}
		if ok && !strings.EqualFold(header[:6], "bearer") {
			t.Fatalf("token from another scheme: %q", header)
		}
	})
}

// FuzzPathParams checks that a path parameter is a part of the path (once
// unescaped) and never panics.
func FuzzPathParams(f *testing.F) {
	f.Add("GET /v1/items/{id}", "/v1/items/42", "id")
	f.Add("GET example.com/files/{path...}", "/files/a/b/c", "path")
	f.Add("/{a}/{b}", "/x", "b")
	f.Fuzz(func(t *testing.T, pattern, path, name string) {
		v := pathParams(pattern, path)(name)
		if !strings.Contains(path, "%") && !strings.Contains(path, v) {
			t.Fatalf("param %q is not in path %q", v, path)
		}
	})
}
