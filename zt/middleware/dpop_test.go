package middleware_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

// dpopFixture serves the protected API with DPoP on, over both adapters.
type dpopFixture struct {
	*fixture
	key, other jwk.Key
	jkt        string
}

func newDPoPFixture(t *testing.T, cfg func(*middleware.Config)) *dpopFixture {
	t.Helper()
	f := &dpopFixture{fixture: newFixture(t)}
	var err error
	if f.key, err = token.GenerateKey(token.ES256); err != nil {
		t.Fatal(err)
	}
	if f.other, err = token.GenerateKey(token.ES256); err != nil {
		t.Fatal(err)
	}
	if f.jkt, err = token.Thumbprint(f.key); err != nil {
		t.Fatal(err)
	}

	c := middleware.Config{
		Verifier: f.verifier, Engine: f.engine, Audit: f.events, Realm: "ztkit-test",
		DPoP: &token.DPoPConfig{Algorithms: []string{token.ES256, token.EdDSA}},
	}
	if cfg != nil {
		cfg(&c)
	}
	f.httpURL, f.echoURL = serveHTTP(t, c), serveEcho(t, c)
	return f
}

// boundToken signs an access token for alice bound to the device key.
func (f *dpopFixture) boundToken(t *testing.T) string {
	c := tokentest.Claims(issuer, audience, 5*time.Minute)
	c["sub"], c["roles"], c["sid"] = "alice", []string{"user"}, "s-alice"
	c["cnf"] = map[string]any{"jkt": f.jkt}
	return f.jwks.Sign(t, token.TypeAccessToken, c)
}

func withDPoP(tok, proof string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", "DPoP "+tok)
		if proof != "" {
			r.Header.Set("DPoP", proof)
		}
	}
}

func TestDPoP(t *testing.T) {
	f := newDPoPFixture(t, nil)
	bound := f.boundToken(t)
	unbound := f.token(t, "alice", []string{"user"})
	const path = "/v1/transactions/t1"
	proof := func(key jwk.Key, method, url, tok string) string {
		return tokentest.DPoPProof(t, key, method, url, tok)
	}

	for _, srv := range []struct{ name, url string }{{"net/http", f.httpURL}, {"echo", f.echoURL}} {
		url := srv.url + path
		replayed := proof(f.key, "GET", url, bound)
		tests := []struct {
			name      string
			set       func(*http.Request)
			status    int
			challenge string
			reason    string
		}{
			{
				name: "valid proof", set: withDPoP(bound, replayed), status: 200,
			},
			{
				name: "replayed proof", set: withDPoP(bound, replayed), status: 401,
				challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPReplay,
			},
			{
				name: "proof by another key", set: withDPoP(bound, proof(f.other, "GET", url, bound)),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPBinding,
			},
			{
				name: "wrong method", set: withDPoP(bound, proof(f.key, "POST", url, bound)),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPMethod,
			},
			{
				name: "wrong target", set: withDPoP(bound, proof(f.key, "GET", srv.url+"/v1/transactions/t2", bound)),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPURL,
			},
			{
				name: "no ath", set: withDPoP(bound, proof(f.key, "GET", url, "")),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPATHash,
			},
			{
				name: "ath of another token", set: withDPoP(bound, proof(f.key, "GET", url, unbound)),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPATHash,
			},
			{
				name: "no proof header", set: withDPoP(bound, ""),
				status: 401, challenge: `error="invalid_dpop_proof"`, reason: token.ReasonDPoPMissing,
			},
			{
				name: "bound token as bearer", set: bearer(bound),
				status: 401, challenge: `error="invalid_token"`, reason: middleware.ReasonDPoPRequired,
			},
			{
				name: "unbound token with DPoP scheme", set: withDPoP(unbound, proof(f.key, "GET", url, unbound)),
				status: 401, challenge: `error="invalid_token"`, reason: middleware.ReasonDPoPUnbound,
			},
			{
				name: "unbound bearer token still accepted", set: bearer(unbound), status: 200,
			},
		}
		for _, tt := range tests {
			t.Run(srv.name+"/"+tt.name, func(t *testing.T) {
				got := do(t, "GET", url, tt.set)
				if got.status != tt.status {
					t.Fatalf("status = %d, want %d (%s)", got.status, tt.status, got.body)
				}
				if tt.status == 200 {
					return
				}
				checkProblem(t, got)
				want := `Bearer realm="ztkit-test", DPoP realm="ztkit-test", algs="ES256 EdDSA", ` +
					tt.challenge
				if got.challenge != want {
					t.Errorf("WWW-Authenticate = %q, want %q", got.challenge, want)
				}
				e := f.events.last()
				if !hasReason(e, tt.reason) {
					t.Errorf("audit event %+v lacks reason %s", e, tt.reason)
				}
				if e.Actor.User != "alice" {
					t.Errorf("audit actor %+v, want the token's subject", e.Actor)
				}
			})
		}
	}
}

// TestDPoPKeyReachesPolicy checks that the proven key's thumbprint is the
// principal's device key, in the context and in the policy input.
func TestDPoPKeyReachesPolicy(t *testing.T) {
	var seen string
	f := newDPoPFixture(t, func(c *middleware.Config) {
		c.Engine = deciderFunc(func(in *pep.Input) {
			if in.Principal.Device != nil {
				seen = in.Principal.Device.KeyThumbprint
			}
		}, c.Engine)
	})
	url := f.httpURL + "/v1/transactions/t1"
	bound := f.boundToken(t)
	got := do(t, "GET", url, withDPoP(bound, tokentest.DPoPProof(t, f.key, "GET", url, bound)))
	if got.status != 200 || seen != f.jkt {
		t.Fatalf("status %d, device key %q, want %q", got.status, seen, f.jkt)
	}
}

// spy passes decisions to an engine after showing it the input.
type spy struct {
	see  func(*pep.Input)
	next middleware.Decider
}

func (s spy) DecideAt(ctx context.Context, ep string, in *pep.Input) (zt.Decision, error) {
	s.see(in)
	return s.next.DecideAt(ctx, ep, in)
}

func deciderFunc(see func(*pep.Input), next middleware.Decider) middleware.Decider {
	return spy{see, next}
}

// TestDPoPBehindProxy checks the external origin: the proof names the URI
// the client addressed at the proxy, not the one the service sees.
func TestDPoPBehindProxy(t *testing.T) {
	const origin = "https://gw.ztkit.test/ledger"
	f := newDPoPFixture(t, func(c *middleware.Config) { c.ExternalOrigin = origin })
	bound := f.boundToken(t)

	for _, srv := range []struct{ name, url string }{{"net/http", f.httpURL}, {"echo", f.echoURL}} {
		local := srv.url + "/v1/transactions/t1"
		outside := origin + "/v1/transactions/t1"
		if got := do(t, "GET", local, withDPoP(bound, tokentest.DPoPProof(t, f.key, "GET", outside, bound))); got.status != 200 {
			t.Errorf("%s: proof for the external URI: %d", srv.name, got.status)
		}
		if got := do(t, "GET", local, withDPoP(bound, tokentest.DPoPProof(t, f.key, "GET", local, bound))); got.status != 401 {
			t.Errorf("%s: proof for the internal URI: %d", srv.name, got.status)
		}
	}
}

// TestRequireDPoP checks that bearer tokens are refused with a challenge
// that offers DPoP only.
func TestRequireDPoP(t *testing.T) {
	f := newDPoPFixture(t, func(c *middleware.Config) { c.RequireDPoP = true })
	got := do(t, "GET", f.httpURL+"/v1/transactions/t1", bearer(f.token(t, "alice", []string{"user"})))
	want := `DPoP realm="ztkit-test", algs="ES256 EdDSA", error="invalid_token"`
	if got.status != 401 || got.challenge != want {
		t.Fatalf("got %d %q, want 401 %q", got.status, got.challenge, want)
	}
	if got := do(t, "GET", f.httpURL+"/v1/transactions/t1", nil); !strings.HasPrefix(got.challenge, "DPoP ") {
		t.Fatalf("no credential: %q", got.challenge)
	}
}

// TestDPoPOff checks that without DPoP a bound token is refused and the DPoP
// scheme is not accepted.
func TestDPoPOff(t *testing.T) {
	f := newDPoPFixture(t, func(c *middleware.Config) { c.DPoP = nil })
	url := f.httpURL + "/v1/transactions/t1"
	bound := f.boundToken(t)
	for name, set := range map[string]func(*http.Request){
		"bearer": bearer(bound),
		"dpop":   withDPoP(bound, tokentest.DPoPProof(t, f.key, "GET", url, bound)),
	} {
		if got := do(t, "GET", url, set); got.status != 401 || strings.Contains(got.challenge, "DPoP") {
			t.Errorf("%s: %d %q", name, got.status, got.challenge)
		}
	}
}

// TestDPoPStepUp checks that a step-up asked of a DPoP request is challenged
// on the DPoP scheme.
func TestDPoPStepUp(t *testing.T) {
	f := newDPoPFixture(t, nil)
	url := f.echoURL + "/v1/transactions/t1"
	bound := f.boundToken(t)
	got := do(t, "DELETE", url, withDPoP(bound, tokentest.DPoPProof(t, f.key, "DELETE", url, bound)))
	want := `Bearer realm="ztkit-test", DPoP realm="ztkit-test", algs="ES256 EdDSA", ` +
		`error="insufficient_user_authentication", acr_values="otp"`
	if got.status != 401 || got.challenge != want {
		t.Fatalf("got %d %q, want 401 %q", got.status, got.challenge, want)
	}
}
