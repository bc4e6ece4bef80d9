package middleware

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ztkit/ztkit/zt"
)

// Router finds the pattern a request matches; *http.ServeMux satisfies it.
type Router interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// Handler returns net/http middleware that authenticates, decides and audits
// every request before next serves it. next is usually the *http.ServeMux
// whose patterns Config.Routes names. If neither Config.Router is set nor
// next is a Router, every request is refused, since its route cannot be
// known.
//
// An allowed request reaches next with the Principal and the Decision in its
// context (zt.PrincipalFrom, zt.DecisionFrom).
func (m *Middleware) Handler(next http.Handler) http.Handler {
	router := m.cfg.Router
	if router == nil {
		router, _ = next.(Router)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if router == nil {
			m.write(w, forbidden(ReasonRouteUnmapped, nil))
			return
		}
		_, pattern := router.Handler(r)
		c := call{r: r, pattern: pattern, param: pathParams(pattern, r.URL.EscapedPath())}

		v := m.authorize(r.Context(), c)
		switch {
		case v.refusal != nil:
			m.write(w, v.refusal)
		case v.public:
			next.ServeHTTP(w, r)
		default:
			ctx := zt.WithDecision(zt.WithPrincipal(r.Context(), v.principal), v.decision)
			next.ServeHTTP(w, r.WithContext(ctx))
		}
	})
}

// pathParams returns a lookup of the path parameters ({name} and {name...})
// of a ServeMux pattern in an escaped path, unescaped segment by segment as
// the ServeMux does, so that the decision is about the very resource the
// handler will see in r.PathValue ("a%2Fb" is one segment, "a/b"). It works
// before the mux has routed the request, which is when the decision needs
// the resource ID.
func pathParams(pattern, escapedPath string) func(string) string {
	tmpl := routeOf(pattern)
	return func(name string) string {
		segs := strings.Split(strings.TrimPrefix(tmpl, "/"), "/")
		parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
		for i, seg := range segs {
			if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") || i >= len(parts) {
				continue
			}
			key := strings.TrimSuffix(seg[1:len(seg)-1], "...")
			if key != name {
				continue
			}
			if strings.HasSuffix(seg, "...}") {
				return unescape(parts[i:])
			}
			return unescape(parts[i : i+1])
		}
		return ""
	}
}

// unescape joins path segments with "/" after unescaping each one. A segment
// that does not unescape yields "", which names no resource.
func unescape(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return ""
		}
		out[i] = u
	}
	return strings.Join(out, "/")
}
