package app_test

import (
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/public"
)

// TestParallelRenewalsKeepTheBrowserSession: when the access token cookie
// has expired, a page firing several API calls at once (the dashboard loads
// the list, the summary and the grants together) sends the same refresh
// cookie with each. Each request renews from it; the second use of the
// rotated refresh token must not be taken for theft and end the session.
func TestParallelRenewalsKeepTheBrowserSession(t *testing.T) {
	e := start(t)
	a := e.signUp("alice", domain.RoleUser)
	b := e.browser()

	r := b.do("POST", "/api/session", map[string]string{"email": a.email, "password": a.pw}, false)
	if r.status != http.StatusOK {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}

	// The access token cookie is gone (expired); only the refresh and CSRF
	// cookies remain, as the browser sends them with each parallel call.
	var cookies []*http.Cookie
	for _, ck := range b.client.Jar.Cookies(mustURL(t, e.p.PublicURL())) {
		if ck.Name != public.SessionCookie {
			cookies = append(cookies, ck)
		}
	}

	paths := []string{"/api/v1/transactions", "/api/v1/transactions/summary", "/api/v1/grants"}
	status := make([]int, len(paths))
	start := make(chan struct{})

	var wg sync.WaitGroup
	for i, path := range paths {
		wg.Add(1)

		go func() {
			defer wg.Done()

			req, err := http.NewRequest("GET", e.p.PublicURL()+path, nil)
			if err != nil {
				return
			}

			for _, ck := range cookies {
				req.AddCookie(ck)
			}

			<-start

			resp, err := e.client.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()

			_, _ = io.Copy(io.Discard, resp.Body)
			status[i] = resp.StatusCode
		}()
	}

	close(start)
	wg.Wait()

	for i, s := range status {
		if s != http.StatusOK {
			t.Errorf("parallel call %s: %d, want 200", paths[i], s)
		}
	}
}
