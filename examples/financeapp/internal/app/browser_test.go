package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
)

// browser sends requests as the web UI does: cookies, an Origin header and
// the CSRF header on state-changing requests.
type browser struct {
	e      *env
	client *http.Client
	origin string
	csrf   string
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}

	c := *e.client
	c.Jar = jar

	return &browser{e: e, client: &c, origin: e.p.PublicURL()}
}

func (b *browser) do(method, path string, body any, csrf bool) answer {
	req := func() answer {
		return doWith(b.e.t, b.client, b.e.p.PublicURL(), method, path, "", body)
	}

	tr := b.client.Transport
	b.client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if b.origin != "" {
			r.Header.Set("Origin", b.origin)
		}
		if csrf {
			r.Header.Set(public.CSRFHeader, b.csrf)
		}

		return tr.RoundTrip(r)
	})
	defer func() { b.client.Transport = tr }()

	return req()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBrowserSession(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	b := e.browser()

	var info public.SessionInfo
	b.do("GET", "/api/session", nil, false).decode(t, &info)
	if info.User != nil {
		t.Fatalf("signed out session shows %+v", info.User)
	}

	r := b.do("POST", "/api/session", map[string]string{"email": a.email, "password": a.pw}, false)
	if r.status != http.StatusOK {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}

	if strings.Contains(string(r.body), "eyJ") {
		t.Fatal("the sign-in answer carries a token")
	}

	r.decode(t, &info)
	b.csrf = info.CSRFToken

	if info.User == nil || info.User.ID != a.id || b.csrf == "" {
		t.Fatalf("session: %+v", info)
	}

	for _, ck := range b.client.Jar.Cookies(mustURL(t, e.p.PublicURL())) {
		if (ck.Name == public.SessionCookie || ck.Name == public.RefreshCookie) &&
			(ck.Value == "" || strings.HasPrefix(ck.Value, "eyJ")) {
			t.Fatalf("cookie %s holds %q: want a sealed token", ck.Name, ck.Value)
		}
	}

	if r := b.do("GET", "/api/v1/transactions", nil, false); r.status != http.StatusOK {
		t.Fatalf("list with the cookie: %d %s", r.status, r.body)
	}

	tx := txBody(100, "expense", "2026-01-01")
	if r := b.do("POST", "/api/v1/transactions", tx, false); r.status != http.StatusForbidden {
		t.Fatalf("POST without the CSRF header: %d", r.status)
	}

	if r := b.do("POST", "/api/v1/transactions", tx, true); r.status != http.StatusCreated {
		t.Fatalf("POST with the CSRF header: %d %s", r.status, r.body)
	}

	b.origin = "https://evil.example"
	if r := b.do("POST", "/api/v1/transactions", tx, true); r.status != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d", r.status)
	}

	b.origin = ""
	if r := b.do("POST", "/api/v1/transactions", tx, true); r.status != http.StatusForbidden {
		t.Fatalf("POST without Origin or Sec-Fetch-Site: %d", r.status)
	}

	b.origin = e.p.PublicURL()

	// Lose the access token: the refresh cookie renews it silently.
	u := mustURL(t, e.p.PublicURL())
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: public.SessionCookie, Value: "", Path: "/",
		MaxAge: -1}})

	if r := b.do("GET", "/api/v1/me", nil, false); r.status != http.StatusOK {
		t.Fatalf("renewal from the refresh cookie: %d %s", r.status, r.body)
	}

	if r := b.do("DELETE", "/api/session", nil, true); r.status != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", r.status, r.body)
	}

	if r := b.do("GET", "/api/v1/me", nil, false); r.status != http.StatusUnauthorized {
		t.Fatalf("after sign-out: %d", r.status)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}

	return u
}
