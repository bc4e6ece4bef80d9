// Package middleware puts ztkit's policy enforcement in front of net/http and
// labstack/echo/v4 handlers. The adapters only translate between the framework
// and package pep: the logic is the same for both.
//
// For every request that is not on the explicit public list, the middleware
//
//  1. authenticates: the mTLS peer's SPIFFE ID (PeerSPIFFEID), an access
//     token (a Verifier such as *token.Verifier) sent as a bearer token or,
//     with Config.DPoP, as a sender-constrained DPoP token with its proof
//     (RFC 9449), or, for browsers, a session cookie;
//  2. checks revocation (zt.RevocationChecker), so that a revoked token,
//     session, subject, device or workload is refused on its next request;
//  3. maps the matched route template (never the raw path) to an action and
//     a resource, and asks the policy engine for a decision;
//  4. fulfils the decision's obligations (step_up answers 401 asking for a
//     stronger sign-in; filter and redact pass to the handler);
//  5. records an audit event, and refuses the request if the audit trail
//     cannot take it;
//  6. hands the Principal and the Decision to the handler in the context
//     (zt.PrincipalFrom, zt.DecisionFrom).
//
// Refusals say as little as possible: 401 carries an RFC 6750
// WWW-Authenticate challenge (and a DPoP one, with the accepted algorithms,
// when DPoP is on), 403 an RFC 9457 problem+json body without the
// reason; the reasons go to the audit trail. A route that is neither mapped
// nor public is denied, as is a decision with an obligation nobody fulfils.
//
// Each decision is traced and counted by the engine (pep.Config's
// TracerProvider and MeterProvider): its span is a child of the request's
// span, since the middleware passes the request's context.
//
// Protecting a net/http service:
//
//	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
//		Issuer: "https://issuer.example", Audience: []string{"https://api.example"},
//		JWKSURL: "https://issuer.example/.well-known/jwks.json",
//	})
//	engine, err := pep.New(ctx, pep.Config{Policies: policyFS})
//	protect, err := middleware.New(middleware.Config{
//		Verifier: verifier, Engine: engine,
//		Routes: map[string]middleware.Route{
//			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
//		},
//		Public: []string{"GET /healthz"},
//	})
//	http.ListenAndServe(addr, protect.Handler(mux))
//
// Sender-constrained tokens (RFC 9449) need one more field: a token bound
// to a key (cnf.jkt) is then accepted only as "Authorization: DPoP" with a
// proof signed by that key, and the key's thumbprint reaches the policy as
// input.device.key_thumbprint. Behind a proxy, name the origin clients use:
//
//	DPoP: &token.DPoPConfig{}, ExternalOrigin: "https://api.example",
//
// With echo, route keys use echo's path syntax and the middleware is
// registered with Use:
//
//	e.Use(protect.Echo()) // Routes: {"GET /v1/transactions/:id": {...}}
package middleware
