package middleware

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
)

// Verifier verifies a credential (a bearer token or a session cookie's
// value) and returns who presented it. Its errors should be *zt.Error values
// whose Code is the RFC 6750 error code; *token.Verifier satisfies it.
type Verifier interface {
	Verify(ctx context.Context, raw string) (*zt.Principal, error)
}

// Decider decides a request; *pep.Engine satisfies it. An empty entrypoint
// names the engine's default.
type Decider interface {
	DecideAt(ctx context.Context, entrypoint string, in *pep.Input) (zt.Decision, error)
}

// PeerIdentityFunc returns the workload identity of the request's mTLS peer,
// or nil when the connection presented none.
type PeerIdentityFunc func(r *http.Request) (*zt.Workload, error)

// RiskFunc returns the current risk assessment of a principal.
type RiskFunc func(ctx context.Context, p *zt.Principal) (zt.Risk, error)

// ObligationFunc fulfils one obligation of an allowing decision before the
// handler runs. It returns nil to let the request through; an error denies
// it (a *StepUpError asks the caller to authenticate again).
type ObligationFunc func(ctx context.Context, r *http.Request, value any) error

// Route says how requests matched by one route pattern are decided.
type Route struct {
	// Action is the policy's name for what the route does, for example
	// "transactions.read". It is required.
	Action string
	// Resource is the type of resource the route acts on, for example
	// "transaction".
	Resource string
	// IDParam names the path parameter that holds the resource ID ("id" for
	// "/v1/transactions/{id}" or "/v1/transactions/:id"). Empty means the
	// route acts on a collection.
	IDParam string
	// Entrypoint is the policy entrypoint that decides; empty means the
	// engine's default.
	Entrypoint string
}

// Config configures a Middleware. Verifier, Engine and Routes are required.
type Config struct {
	// Verifier verifies bearer tokens from the Authorization header.
	Verifier Verifier
	// Engine decides every request that is not public.
	Engine Decider
	// Routes maps route patterns to actions. For net/http the key is the
	// ServeMux pattern as registered ("GET /v1/transactions/{id}"); for echo
	// it is the method and echo path ("GET /v1/transactions/:id"). A request
	// whose route is neither here nor in Public is denied.
	Routes map[string]Route
	// Router finds the route pattern of a request for Handler. Nil means the
	// handler given to Handler, which must then be a Router such as an
	// *http.ServeMux; set it when that handler wraps the mux.
	Router Router
	// Public lists the route patterns served without authentication or
	// decision, for example "GET /healthz". Nothing else is public.
	Public []string

	// Session verifies a browser's session cookie when there is no bearer
	// token. Nil disables cookie sessions. A cookie is sent by the browser on
	// its own, so the cookie must be SameSite (Strict or Lax) and
	// state-changing routes must still be protected against CSRF.
	Session Verifier
	// SessionCookie is the session cookie's name; empty means "__Host-session".
	SessionCookie string
	// DPoP verifies the proofs of sender-constrained tokens (RFC 9449), sent
	// as "Authorization: DPoP <token>" with a "DPoP" proof header: method,
	// target URI, iat window, one use per proof, the access token's hash
	// ("ath") and the token's cnf.jkt key binding. A DPoP-bound token sent as
	// a bearer token is refused. Nil turns DPoP off: the DPoP scheme is not
	// accepted and every DPoP-bound token is refused, since its proof could
	// not be checked. The zero DPoPConfig is usable; its in-memory replay
	// cache suits a single replica.
	DPoP *token.DPoPConfig
	// RequireDPoP refuses bearer tokens, so that every token must be
	// DPoP-bound and come with its proof. It needs DPoP. Session cookies are
	// not affected.
	RequireDPoP bool
	// ExternalOrigin is the origin clients address, with an optional path
	// prefix ("https://api.example.com" or "https://gw.example.com/ledger"),
	// for a service behind a proxy that terminates TLS, rewrites Host or
	// strips a prefix. DPoP proofs name that URI. Empty rebuilds it from the
	// request: "https" on a TLS connection, else "http", and the Host header.
	// Forwarded headers are never trusted.
	ExternalOrigin string
	// PeerIdentity extracts the mTLS peer's workload identity. Nil means
	// PeerSPIFFEID, which reads the SPIFFE ID of the peer's leaf certificate
	// with the strict X.509-SVID checks of package mtls.
	PeerIdentity PeerIdentityFunc
	// Revocation is consulted for every authenticated principal; a revoked
	// one is refused with 401. Nil checks nothing here (the verifier may).
	Revocation zt.RevocationChecker
	// Risk fills the risk input of each decision. Nil means a zero risk.
	Risk RiskFunc
	// Obligations fulfils obligations by name, in addition to (or replacing)
	// the defaults: "step_up" answers 401 asking for a stronger sign-in, and
	// "filter" and "redact" pass to the handler, which reads them from
	// zt.DecisionFrom. A decision with any other obligation is denied.
	Obligations map[string]ObligationFunc

	// Audit receives one event per decided request. An error from it denies
	// the request (503), for emitters that fail closed. Nil records nothing.
	Audit audit.Emitter
	// Realm is the realm of WWW-Authenticate challenges; empty omits it.
	Realm string
	// Logger receives refusals of misconfigured routes. Nil logs nothing.
	Logger *slog.Logger
}
