// Package forward relays an allowed request to the next service over mTLS,
// with the caller's access token, so that the next service authenticates
// and decides it again: nothing is trusted for where it comes from.
package forward

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
)

// HeaderClientAddr carries the end client's address to the next service. Only
// the public service sets it; every service overwrites what a caller sent.
const HeaderClientAddr = "X-Client-Addr"

// HeaderClientAgent carries the end client's User-Agent.
const HeaderClientAgent = "X-Client-Agent"

// To returns a handler that relays requests to base (an https URL) with
// client, an mTLS client that authorizes only the intended service. edge
// marks the public service, which records the end client's address; other
// services pass on what public recorded.
func To(base *url.URL, client *http.Client, edge bool) echo.HandlerFunc {
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(base)
			pr.Out.Host = base.Host

			pr.Out.Header.Del("Cookie")
			pr.Out.Header.Del("Forwarded")
			pr.Out.Header.Del("X-Forwarded-For")
			pr.Out.Header.Del("X-Forwarded-Host")
			pr.Out.Header.Del("X-Forwarded-Proto")

			if edge {
				host, _, _ := net.SplitHostPort(pr.In.RemoteAddr)
				pr.Out.Header.Set(HeaderClientAddr, host)
				pr.Out.Header.Set(HeaderClientAgent, pr.In.UserAgent())
			}
		},
		Transport: client.Transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p := httpx.Fail(http.StatusBadGateway, "upstream_unavailable",
				"a service behind this one did not answer")

			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				p = httpx.Fail(http.StatusRequestEntityTooLarge, "body_too_large",
					"the body is too large")
			}

			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(p.Status)
			_ = json.NewEncoder(w).Encode(p.Problem)
		},
	}

	return func(c echo.Context) error {
		r := c.Request()
		r.Body = http.MaxBytesReader(c.Response(), r.Body, httpx.MaxBody)

		proxy.ServeHTTP(c.Response(), r)

		return nil
	}
}
