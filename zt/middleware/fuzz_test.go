package middleware

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthorization checks that any Authorization header either yields a
// token68 of a known scheme, is refused, or is left to another scheme.
func FuzzAuthorization(f *testing.F) {
	for _, seed := range []string{
		"Bearer abc.def.ghi", "bearer  x", "Bearer a b", "Basic Zm9v", "Bearer", "",
		"DPoP abc.def.ghi", "dpop x=", "DPoP",
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, header string, withDPoP bool) {
		r := &http.Request{Header: http.Header{"Authorization": {header}}, URL: &url.URL{}}
		cred, ok, err := authorization(r, withDPoP)
		if err != nil && ok {
			t.Fatal("error and token together")
		}
		if !ok {
			return
		}
		if cred.Token == "" || strings.ContainsAny(cred.Token, " \t") {
			t.Fatalf("bad token %q from %q", cred.Token, header)
		}
		scheme, _, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, cred.Scheme) || (cred.Scheme == "DPoP" && !withDPoP) {
			t.Fatalf("scheme %q from %q", cred.Scheme, header)
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
