package token_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// waitGoroutines waits until at most n goroutines run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n,
				buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestVerifierCloseStopsRefresh(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()

	client := &http.Client{Transport: &http.Transport{}}
	v, err := token.NewVerifier(context.Background(), token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, JWKSURL: jwks.URL,
		HTTPClient: client, RefreshInterval: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	waitHits(t, jwks, 3)
	_ = v.Close()
	_ = v.Close() // a second Close is harmless

	client.CloseIdleConnections()
	waitGoroutines(t, before)

	hits := jwks.Hits()
	time.Sleep(30 * time.Millisecond)
	if jwks.Hits() != hits {
		t.Fatal("JWKS still fetched after Close")
	}
}

func TestVerifierContextStopsRefresh(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	before := runtime.NumGoroutine()

	client := &http.Client{Transport: &http.Transport{}}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, JWKSURL: jwks.URL,
		HTTPClient: client, RefreshInterval: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	waitHits(t, jwks, 2)
	cancel()

	client.CloseIdleConnections()
	waitGoroutines(t, before)
}

// TestRefreshFailureLogsNoToken checks that a failed refresh is logged, with
// the URL and no token or key material.
func TestRefreshFailureLogsNoToken(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)

	var logs bytes.Buffer
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.MinRefetchInterval = time.Nanosecond
	})

	raw := jwks.Sign(t, "at+jwt", claims(nil))
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatal(err)
	}

	jwks.Fail(http.StatusServiceUnavailable)
	other, _ := token.GenerateKey(token.ES256)
	_, _ = v.Verify(t.Context(), tokentest.Sign(t, other, "at+jwt", claims(nil)))

	out := logs.String()
	if !strings.Contains(out, "JWKS fetch failed") || !strings.Contains(out, "503") {
		t.Fatalf("log = %q", out)
	}

	if strings.Contains(out, raw[:20]) || strings.Contains(out, `"x"`) {
		t.Fatalf("log holds token material: %q", out)
	}
}

// TestVerifyConcurrentWithRotation verifies from many goroutines while the
// JWKS rotates and the background refresh runs, for the race detector.
func TestVerifyConcurrentWithRotation(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.EdDSA)
	v := newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.RefreshInterval = 2 * time.Millisecond
		c.MinRefetchInterval = time.Nanosecond
		c.CacheSize = 16
	})

	tokens := make(chan string, 64)
	for range 4 {
		tokens <- jwks.Sign(t, "at+jwt", claims(nil))
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				raw := <-tokens
				if _, err := v.Verify(context.Background(), raw); err != nil {
					t.Errorf("Verify: %v", err)
				}
				tokens <- raw
			}
		})
	}

	for range 5 {
		jwks.Rotate(t)
		tokens <- jwks.Sign(t, "at+jwt", claims(nil))
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
}

// TestRefreshFollowsCacheControl checks that a short max-age from the server
// brings the next background fetch forward, and that a failed fetch is
// retried soon rather than after the full refresh interval.
func TestRefreshFollowsCacheControl(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	jwks.SetCacheControl("public, max-age=1")

	newVerifier(t, jwks, func(c *token.VerifierConfig) {
		c.RefreshInterval = time.Hour
		c.MinRefetchInterval = 10 * time.Millisecond
	})

	waitHits(t, jwks, 2)
	jwks.Fail(http.StatusBadGateway)
	waitHits(t, jwks, 4)
}
