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

// BenchmarkHandshakeKeyExchange shows what the key exchange costs in a
// resumed handshake, which still runs one: Go's default hybrid
// post-quantum X25519MLKEM768 against classical X25519 alone.
func BenchmarkHandshakeKeyExchange(b *testing.B) {
	for _, kx := range []struct {
		name   string
		curves []tls.CurveID
	}{
		{"X25519MLKEM768", nil},
		{"X25519", []tls.CurveID{tls.X25519}},
	} {
		b.Run(kx.name+"/resumed", func(b *testing.B) {
			server, client := benchCA(b, devca.ECDSAP256)
			addr := benchServer(b, mtls.ServerConfig(server, mtls.AuthorizeID(webID)))

			cfg := &tls.Config{CurvePreferences: kx.curves}
			mtls.HardenClientConfig(cfg, client, mtls.AuthorizeID(serverID))
			runHandshakes(b, addr, cfg, true)
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
	start := cpuTime()

	for b.Loop() {
		if handshakeOnce(b, addr, cfg) != resume {
			b.Fatalf("resumed is %t, want %t", !resume, resume)
		}
	}

	reportCPU(b, start)
}

// reportCPU reports the process CPU time (client and server together) per
// operation since start. On a shared machine it is steadier than the wall
// time, which also counts waiting for a core.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
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
	start := cpuTime()

	for b.Loop() {
		do()
	}

	reportCPU(b, start)
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
			start := cpuTime()
			for b.Loop() {
				if _, _, err := mtls.Verify(certs, ca, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkRequestOverhead sends one plain HTTP/1.1 request and one mTLS
// HTTP/1.1 request per iteration, each on its own kept-alive connection,
// and reports the time of each and the overhead of mTLS. Alternating the
// two makes the comparison hold on a machine whose load changes while the
// benchmark runs, which separate benchmarks cannot promise.
func BenchmarkRequestOverhead(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"balance":12345,"currency":"EUR"}`))
	})
	none := zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error { return nil })

	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"mtls", h},
		{"mtls-quarantine", mtls.Quarantine(none)(h)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			plainURL := servePlain(b, h)
			plain := &http.Client{Transport: &http.Transport{}}

			server, client := benchCA(b, devca.ECDSAP256)
			mtlsURL := mtlstest.Serve(b, tc.h, server, mtls.AuthorizeID(webID))
			tr := mtls.NewTransport(client, mtls.AuthorizeID(serverID))
			tr.ForceAttemptHTTP2 = false
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			secure := &http.Client{Transport: tr}

			runPaired(b, plain, plainURL, secure, mtlsURL)
		})
	}
}

// pairBlock is how many requests of one kind runPaired sends in a row, so
// that each block uses enough CPU time to be measured.
const pairBlock = 200

// runPaired alternates blocks of plain and mTLS requests and reports, per
// request, the wall time and the process CPU time (client and server) of
// each kind and the overhead of mTLS in both. CPU time is the steadier
// measure on a shared machine: it does not count waiting for a core.
func runPaired(b *testing.B, plain *http.Client, plainURL string, secure *http.Client, secureURL string) {
	defer plain.CloseIdleConnections()
	defer secure.CloseIdleConnections()

	do := func(c *http.Client, url string, n int) (wall, cpu time.Duration) {
		start, startCPU := time.Now(), cpuTime()
		for range n {
			resp, err := c.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return time.Since(start), cpuTime() - startCPU
	}

	do(plain, plainURL, 1)
	do(secure, secureURL, 1)

	var wall, cpu [2]time.Duration
	var sent int
	b.ResetTimer()

	for n := b.N; n > 0; n -= pairBlock {
		k := min(n, pairBlock)
		w, c := do(plain, plainURL, k)
		wall[0], cpu[0] = wall[0]+w, cpu[0]+c
		w, c = do(secure, secureURL, k)
		wall[1], cpu[1] = wall[1]+w, cpu[1]+c
		sent += k
	}

	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(sent) }
	b.ReportMetric(per(wall[0]), "plain-ns/req")
	b.ReportMetric(per(wall[1]), "mtls-ns/req")
	b.ReportMetric(100*(float64(wall[1])/float64(wall[0])-1), "overhead-%")
	if cpu[0] > 0 {
		b.ReportMetric(per(cpu[0]), "plain-cpu-ns/req")
		b.ReportMetric(per(cpu[1]), "mtls-cpu-ns/req")
		b.ReportMetric(100*(float64(cpu[1])/float64(cpu[0])-1), "cpu-overhead-%")
	}
}

// BenchmarkCheckRequest measures the per-request half of the quarantine:
// reading the peer's SPIFFE ID from the connection and asking the checker.
func BenchmarkCheckRequest(b *testing.B) {
	ca := mtlstest.NewCA(b, "example.org")
	svid, err := ca.Issue(webID)
	if err != nil {
		b.Fatal(err)
	}

	r, err := http.NewRequest(http.MethodGet, "https://127.0.0.1/", nil)
	if err != nil {
		b.Fatal(err)
	}
	r.TLS = &tls.ConnectionState{PeerCertificates: svid.Certificates}
	none := zt.RevocationCheckerFunc(func(context.Context, *zt.Principal) error { return nil })
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if _, err := mtls.CheckRequest(ctx, r, none); err != nil {
			b.Fatal(err)
		}
	}
}
