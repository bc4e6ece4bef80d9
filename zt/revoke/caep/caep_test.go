package caep_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/revoke/caep"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

const (
	issuer   = "https://idp.example.org"
	audience = "https://app.example.org"
)

type riskRecorder struct {
	mu      sync.Mutex
	updates []caep.RiskUpdate
}

func (r *riskRecorder) UpdateRisk(_ context.Context, u caep.RiskUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.updates = append(r.updates, u)

	return nil
}

type fixture struct {
	jwks *tokentest.JWKS
	list *revoke.List
	risk *riskRecorder
	srv  *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()

	f := &fixture{jwks: tokentest.NewJWKS(t, token.EdDSA), list: revoke.NewList(revoke.Config{}), risk: &riskRecorder{}}

	v, err := token.NewVerifier(context.Background(), caep.VerifierConfig(issuer, []string{audience}, f.jwks.URL))
	if err != nil {
		t.Fatal(err)
	}

	rx, err := caep.NewReceiver(caep.Config{
		Verifier: v, Revoker: caep.ListRevoker(f.list), Risk: f.risk,
	})
	if err != nil {
		t.Fatal(err)
	}

	f.srv = httptest.NewServer(rx)
	t.Cleanup(f.srv.Close)

	return f
}

func setClaims(events map[string]any) map[string]any {
	return map[string]any{
		"iss": issuer, "aud": audience, "iat": time.Now().Unix(), "jti": token.NewID(),
		"events": events,
	}
}

func opaque(id string) map[string]any { return map[string]any{"format": "opaque", "id": id} }

func issSub(sub string) map[string]any {
	return map[string]any{"format": "iss_sub", "iss": issuer, "sub": sub}
}

// push posts raw as a SET and returns the status and the RFC 8935 error code.
func (f *fixture) push(t *testing.T, raw, contentType string) (int, string) {
	t.Helper()

	resp, err := http.Post(f.srv.URL, contentType, strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	var body struct {
		Err string `json:"err"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)

	return resp.StatusCode, body.Err
}

func (f *fixture) pushSET(t *testing.T, claims map[string]any) (int, string) {
	t.Helper()

	return f.push(t, f.jwks.Sign(t, token.TypeSecurityEvent, claims), "application/secevent+jwt")
}

func TestValidSETsApplied(t *testing.T) {
	f := newFixture(t)
	before := time.Now().Add(-time.Hour)

	sets := []map[string]any{
		setClaims(map[string]any{caep.EventSessionRevoked: map[string]any{
			"subject": map[string]any{"user": issSub("alice"), "session": opaque("sess-1")},
		}}),
		setClaims(map[string]any{caep.EventCredentialChange: map[string]any{
			"subject": issSub("bob"), "credential_type": "password", "change_type": "update",
		}}),
		setClaims(map[string]any{caep.EventDeviceComplianceChange: map[string]any{
			"subject": opaque("dev-7"), "current_status": "not-compliant", "previous_status": "compliant",
		}}),
		setClaims(map[string]any{caep.EventAssuranceLevelChange: map[string]any{
			"subject": issSub("carol"), "namespace": "NIST-AAL", "current_level": "nist-aal1",
			"previous_level": "nist-aal2", "change_direction": "decrease",
		}}),
		setClaims(map[string]any{caep.EventVerification: map[string]any{"state": "abc"}}),
	}

	for i, claims := range sets {
		if status, code := f.pushSET(t, claims); status != http.StatusAccepted {
			t.Fatalf("SET %d: status %d %s", i, status, code)
		}
	}

	ctx := context.Background()
	old := &zt.Token{IssuedAt: before}

	checks := []struct {
		name string
		p    *zt.Principal
		want bool
	}{
		{"revoked session", &zt.Principal{User: &zt.User{ID: "alice", SessionID: "sess-1"}, Token: old}, true},
		{"alice's other session", &zt.Principal{User: &zt.User{ID: "alice", SessionID: "sess-2"}, Token: old}, false},
		{"bob's old token", &zt.Principal{User: &zt.User{ID: "bob"}, Token: old}, true},
		{"bob's new token", &zt.Principal{User: &zt.User{ID: "bob"}, Token: &zt.Token{IssuedAt: time.Now().Add(time.Minute)}}, false},
		{"non-compliant device", &zt.Principal{Device: &zt.Device{ID: "dev-7"}, Token: old}, true},
	}

	for _, c := range checks {
		err := f.list.CheckRevoked(ctx, c.p)
		if got := errors.Is(err, zt.ErrRevoked); got != c.want {
			t.Fatalf("%s: revoked = %v, want %v", c.name, got, c.want)
		}
	}

	if len(f.risk.updates) != 2 {
		t.Fatalf("risk updates = %+v", f.risk.updates)
	}

	for _, u := range f.risk.updates {
		if !u.Raised || u.Transmitter != issuer {
			t.Fatalf("risk update = %+v", u)
		}
	}
}

func TestBadSETsRefused(t *testing.T) {
	f := newFixture(t)

	sessionEvent := map[string]any{caep.EventSessionRevoked: map[string]any{"subject": opaque("s-9")}}

	forger, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	_ = forger.Set("kid", f.jwks.Key().KeyID())

	replayed := f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(sessionEvent))
	if status, _ := f.push(t, replayed, "application/secevent+jwt"); status != http.StatusAccepted {
		t.Fatalf("first delivery refused: %d", status)
	}

	expired := setClaims(sessionEvent)
	expired["iat"] = time.Now().Add(-time.Hour).Unix()

	wrongIss := setClaims(sessionEvent)
	wrongIss["iss"] = "https://evil.example.org"

	wrongAud := setClaims(sessionEvent)
	wrongAud["aud"] = "https://other.example.org"

	tests := []struct {
		name        string
		raw         string
		contentType string
		status      int
		code        string
	}{
		{"forged signature", tokentest.Sign(t, forger, token.TypeSecurityEvent, setClaims(sessionEvent)),
			"", 400, caep.CodeInvalidKey},
		{"expired", f.jwks.Sign(t, token.TypeSecurityEvent, expired), "", 400, caep.CodeInvalidRequest},
		{"replayed", replayed, "", 400, caep.CodeInvalidRequest},
		{"unknown event", f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{
			"https://example.org/event-type/unknown": map[string]any{"subject": opaque("x")},
		})), "", 400, caep.CodeInvalidRequest},
		{"wrong issuer", f.jwks.Sign(t, token.TypeSecurityEvent, wrongIss), "", 400, caep.CodeInvalidIssuer},
		{"wrong audience", f.jwks.Sign(t, token.TypeSecurityEvent, wrongAud), "", 400, caep.CodeInvalidAudience},
		{"access token typ", f.jwks.Sign(t, token.TypeAccessToken, setClaims(sessionEvent)), "", 400, caep.CodeInvalidRequest},
		{"no events", f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{})), "", 400, caep.CodeInvalidRequest},
		{"subject missing", f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{
			caep.EventSessionRevoked: map[string]any{},
		})), "", 400, caep.CodeInvalidRequest},
		{"bad change_type", f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{
			caep.EventCredentialChange: map[string]any{"subject": issSub("u"), "change_type": "melt"},
		})), "", 400, caep.CodeInvalidRequest},
		{"not a JWT", "not-a-jwt", "", 400, caep.CodeInvalidRequest},
		{"wrong content type", f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(sessionEvent)),
			"application/json", 400, caep.CodeInvalidRequest},
		{"empty body", "", "", 400, caep.CodeInvalidRequest},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "application/secevent+jwt"
			}

			before := f.list.Len()
			status, code := f.push(t, tc.raw, ct)

			if status != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q", status, code, tc.status, tc.code)
			}

			if f.list.Len() != before {
				t.Fatal("a refused SET changed the revocation list")
			}
		})
	}
}

func TestMethodAndAuthorization(t *testing.T) {
	f := newFixture(t)

	resp, err := http.Get(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}

	v, err := token.NewVerifier(context.Background(), caep.VerifierConfig(issuer, []string{audience}, f.jwks.URL))
	if err != nil {
		t.Fatal(err)
	}

	rx, err := caep.NewReceiver(caep.Config{
		Verifier: v, Revoker: caep.ListRevoker(f.list),
		Authorize: func(r *http.Request) error {
			switch r.Header.Get("Authorization") {
			case "Bearer good":
				return nil
			case "Bearer other":
				return zt.ErrForbidden
			default:
				return errors.New("no credential")
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(rx)
	defer srv.Close()

	set := f.jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{
		caep.EventSessionRevoked: map[string]any{"subject": opaque("s-auth")},
	}))

	for _, tc := range []struct {
		auth   string
		status int
	}{{"", 401}, {"Bearer other", 403}, {"Bearer good", 202}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(set))
		req.Header.Set("Content-Type", "application/secevent+jwt")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}

		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()

		if resp.StatusCode != tc.status {
			t.Fatalf("auth %q: %d, want %d", tc.auth, resp.StatusCode, tc.status)
		}
	}
}

// failingRevoker stands for a revocation store that is down.
type failingRevoker struct{ fail bool }

func (r *failingRevoker) Revoke(context.Context, ...revoke.Entry) error {
	if r.fail {
		return errors.New("store down")
	}

	return nil
}

func TestStoreDownAsksForRetry(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.EdDSA)

	v, err := token.NewVerifier(context.Background(), caep.VerifierConfig(issuer, []string{audience}, jwks.URL))
	if err != nil {
		t.Fatal(err)
	}

	store := &failingRevoker{fail: true}
	rx, err := caep.NewReceiver(caep.Config{Verifier: v, Revoker: store})
	if err != nil {
		t.Fatal(err)
	}

	set := jwks.Sign(t, token.TypeSecurityEvent, setClaims(map[string]any{
		caep.EventSessionRevoked: map[string]any{"subject": opaque("s-1")},
	}))

	deliver := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(set))
		req.Header.Set("Content-Type", "application/secevent+jwt")
		rx.ServeHTTP(rec, req)

		return rec.Code
	}

	if got := deliver(); got != http.StatusServiceUnavailable {
		t.Fatalf("store down: %d", got)
	}

	store.fail = false
	if got := deliver(); got != http.StatusAccepted {
		t.Fatalf("retry after the store recovered: %d (the failed delivery must not count as seen)", got)
	}
}

func TestNewReceiverRequiresVerifierAndRevoker(t *testing.T) {
	if _, err := caep.NewReceiver(caep.Config{}); err == nil {
		t.Fatal("accepted")
	}
}
