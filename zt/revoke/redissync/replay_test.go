package redissync_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ztkit/ztkit/internal/testenv"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/revoke/caep"
	"github.com/ztkit/ztkit/zt/revoke/redissync"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// TestSharedReplayStoreRefusesReplayOnAnotherReplica pushes one SET to two
// receivers (two replicas, separate Redis clients) that share the store.
func TestSharedReplayStoreRefusesReplayOnAnotherReplica(t *testing.T) {
	const iss, aud = "https://idp.example", "https://app.example"

	addr := testenv.RedisAddr(t)
	prefix := newPrefix()
	jwks := tokentest.NewJWKS(t, token.EdDSA)

	var receivers []http.Handler
	for range 2 {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rdb.Close() })

		v, err := token.NewVerifier(context.Background(), caep.VerifierConfig(iss, []string{aud}, jwks.URL))
		must(t, err)

		rx, err := caep.NewReceiver(caep.Config{
			Verifier: v, Revoker: caep.ListRevoker(revoke.NewList(revoke.Config{})),
			Replay: redissync.NewReplayStore(rdb, prefix),
		})
		must(t, err)

		receivers = append(receivers, rx)
	}

	set := jwks.Sign(t, token.TypeSecurityEvent, map[string]any{
		"iss": iss, "aud": aud, "iat": time.Now().Unix(), "jti": token.NewID(),
		"events": map[string]any{caep.EventSessionRevoked: map[string]any{
			"subject": map[string]any{"format": "opaque", "id": "sess-1"},
		}},
	})

	for i, want := range []int{http.StatusAccepted, http.StatusBadRequest} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(set))
		req.Header.Set("Content-Type", "application/secevent+jwt")

		rec := httptest.NewRecorder()
		receivers[i].ServeHTTP(rec, req)

		if rec.Code != want {
			t.Fatalf("receiver %d: %d, want %d", i, rec.Code, want)
		}
	}
}
