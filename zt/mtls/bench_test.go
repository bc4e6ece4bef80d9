package mtls_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/devca"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

// benchServer accepts TLS connections with cfg, completes each handshake,
// writes one byte and closes, until the benchmark ends.
func benchServer(b *testing.B, cfg *tls.Config) string {
	b.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })

	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				tc := tls.Server(conn, cfg)
				if tc.Handshake() == nil {
					_, _ = tc.Write([]byte("k"))
				}
			}()
		}
	}()

	return ln.Addr().String()
}

// handshakeOnce dials, completes the handshake and reads the server's byte,
// which also delivers the TLS 1.3 session ticket that resumption needs.
func handshakeOnce(b *testing.B, addr string, cfg *tls.Config) bool {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()

	if _, err := io.ReadFull(conn, make([]byte, 1)); err != nil {
		b.Fatal(err)
	}

	return conn.ConnectionState().DidResume
}

func benchCA(b *testing.B, alg devca.KeyAlgorithm) (server, client mtls.Source) {
	ca := mtlstest.NewCA(b, "example.org", func(c *devca.Config) { c.KeyAlgorithm = alg })
	return mtlstest.NewSource(b, ca, "/backend"), mtlstest.NewSource(b, ca, "/web")
}

// BenchmarkHandshake measures a TLS 1.3 mutual handshake over loopback,
// including the TCP connection: full (no session cache) and resumed (a
// session ticket from an earlier connection), for P-256 and Ed25519 SVIDs.
func BenchmarkHandshake(b *testing.B) {
	for _, alg := range []devca.KeyAlgorithm{devca.ECDSAP256, devca.Ed25519} {
		for _, resume := range []bool{false, true} {
			b.Run(string(alg)+"/"+mode(resume), func(b *testing.B) {
				server, client := benchCA(b, alg)
				addr := benchServer(b, mtls.ServerConfig(server, mtls.AuthorizeID(webID)))

				var opts []mtls.Option
				if !resume {
					opts = append(opts, mtls.WithSessionCache(nil))
				}
				cfg := mtls.ClientConfig(client, mtls.AuthorizeID(serverID), opts...)
				runHandshakes(b, addr, cfg, resume)
			})
		}
	}
}

// BenchmarkHandshakeGoSPIFFE is the same handshake with go-spiffe's
// tlsconfig, for comparison. Its "resumed" case needs a session cache that
// go-spiffe does not set, and it skips authorization on resumption.
func BenchmarkHandshakeGoSPIFFE(b *testing.B) {
	for _, resume := range []bool{false, true} {
		b.Run(mode(resume), func(b *testing.B) {
			server, client := benchCA(b, devca.ECDSAP256)
			addr := benchServer(b, tlsconfig.MTLSServerConfig(server, server,
				tlsconfig.AuthorizeID(webID)))

			cfg := tlsconfig.MTLSClientConfig(client, client, tlsconfig.AuthorizeID(serverID))
			if resume {
				cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
			}
			runHandshakes(b, addr, cfg, resume)
		})
	}
}

func mode(resume bool) string {
	if resume {
		return "resumed"
	}
	return "full"
}

func runHandshakes(b *testing.B, addr string, cfg *tls.Config, resume bool) {
	handshakeOnce(b, addr, cfg) // prime the session cache

	b.ReportAllocs()
	b.ResetTimer()

	for b.Loop() {
		if handshakeOnce(b, addr, cfg) != resume {
			b.Fatalf("resumed is %t, want %t", !resume, resume)
		}
	}
}

// BenchmarkRequest measures one request on a kept-alive connection: plain
// HTTP/1.1, mTLS over HTTP/1.1 and HTTP/2, and mTLS with the per-request
// quarantine check.
func BenchmarkRequest(b *testing.B) {
	body := []byte(`{"balance":12345,"currency":"EUR"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	none := zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error { return nil })

	b.Run("plain-http1", func(b *testing.B) {
		url := servePlain(b, h)
		runRequests(b, &http.Client{Transport: &http.Transport{}}, url)
	})

	for _, tc := range []struct {
		name       string
		h          http.Handler
		http2      bool
		quarantine bool
	}{
		{"mtls-http1", h, false, false},
		{"mtls-http2", h, true, false},
		{"mtls-http1-quarantine", mtls.Quarantine(none)(h), false, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			server, client := benchCA(b, devca.ECDSAP256)
			url := mtlstest.Serve(b, tc.h, server, mtls.AuthorizeID(webID))

			tr := mtls.NewTransport(client, mtls.AuthorizeID(serverID))
			if !tc.http2 {
				tr.ForceAttemptHTTP2 = false
				tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			runRequests(b, &http.Client{Transport: tr}, url)
		})
	}
}

func servePlain(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { srv.Close() })

	return "http://" + ln.Addr().String()
}

func runRequests(b *testing.B, c *http.Client, url string) {
	defer c.CloseIdleConnections()

	do := func() {
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	do() // open the connection outside the measurement
	b.ReportAllocs()
	b.ResetTimer()

	for b.Loop() {
		do()
	}
}

// BenchmarkVerify measures the peer checks that run in VerifyConnection on
// every handshake, resumed ones included: strict SVID checks and chain
// verification against the bundle.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []devca.KeyAlgorithm{devca.ECDSAP256, devca.Ed25519} {
		b.Run(string(alg), func(b *testing.B) {
			ca := mtlstest.NewCA(b, "example.org", func(c *devca.Config) { c.KeyAlgorithm = alg })
			svid, err := ca.Issue(webID)
			if err != nil {
				b.Fatal(err)
			}
			certs := []*x509.Certificate{svid.Certificates[0]}

			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := mtls.Verify(certs, ca, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
