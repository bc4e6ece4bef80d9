// Package ztkit is a Go SDK that makes a service zero trust: every request, from a
// person, a device or another workload, is authenticated, decided by policy and
// written to an audit trail, every time, with nothing trusted for where it comes from.
//
// The SDK is a set of small packages, each with one job:
//
//   - zt: the shared vocabulary (Principal, Request, Decision, error kinds).
//   - zt/token: JWT verification and issuing (JWKS with rotation, strict claims,
//     DPoP proofs, refresh tokens with reuse detection).
//   - zt/mtls: SPIFFE workload identity and mutual TLS (SVID sources, a dev CA,
//     hardened TLS configs, peer authorizers).
//   - zt/pep: the policy decision and enforcement core over an embedded Open Policy
//     Agent (Rego v1), with hot reload, hooks, decision logs and data filtering.
//   - zt/middleware: adapters for net/http and labstack/echo/v4.
//   - zt/audit: the audit event model, a bounded pipeline and sinks, including a
//     tamper-evident hash-chained file.
//   - zt/revoke: live revocation of tokens, sessions, subjects, devices and
//     workloads, shared across replicas through Redis.
//   - zt/detect: detectors over the audit stream and Falco alerts, and responders
//     that act through zt/revoke.
//
// cmd/ztctl is the operator's command line. The reference finance platform and the
// ZeroSMS ingestion backend live in a separate module under examples/, so that
// importing the SDK never pulls in their dependencies.
//
// # Quick start
//
// Verify bearer tokens against an issuer's JWKS and let a policy decide every
// request (see the zt/middleware package for the complete, runnable example):
//
//	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
//		JWKSURL:  "https://issuer.example/.well-known/jwks.json",
//		Issuer:   "https://issuer.example",
//		Audience: []string{"https://api.example"},
//	})
//	engine, err := pep.New(ctx, pep.Config{Policies: policyFS})
//	protect, err := middleware.New(middleware.Config{
//		Verifier: verifier, Engine: engine,
//		Routes: map[string]middleware.Route{
//			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
//		},
//		Public: []string{"GET /healthz"},
//	})
//	http.ListenAndServe(addr, protect.Handler(mux)) // or e.Use(protect.Echo()) with echo
package ztkit
