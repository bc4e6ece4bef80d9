// Package mtls authenticates workloads to each other with SPIFFE identities
// over mutual TLS, and makes the peer's identity an input to policy.
//
// A workload gets its own X.509-SVID and the trust bundles from a Source:
// the SPIFFE Workload API (SPIRE, see NewWorkloadAPISource), PEM files that
// are reloaded when they are rotated (NewFileSource), or the in-process dev
// CA of package devca. ServerConfig and ClientConfig build TLS 1.3
// configurations from a Source; HardenServerConfig and HardenClientConfig
// do the same to a configuration the caller already has.
//
// Peers are checked in tls.Config.VerifyConnection, which Go runs on full
// and resumed handshakes alike (go-spiffe's tlsconfig checks in
// VerifyPeerCertificate, which resumed sessions skip). The checks are
// stricter than go-spiffe's defaults and follow the X.509-SVID
// specification: see IDFromCert. An Authorizer then decides on the verified
// SPIFFE ID: AuthorizeID, AuthorizeMemberOf, AuthorizePathPrefix,
// AuthorizeAll, or AuthorizePolicy, which asks the policy engine. Nothing
// is allowed by default: a nil Authorizer refuses every peer.
//
// A quarantined workload (one that a zt.RevocationChecker reports as
// revoked) is refused at handshake with WithQuarantine, and on every
// request of a connection that was already open with the Quarantine
// middleware or CheckRequest. PeerID, PeerWorkload and RequestWorkload give
// the peer's identity to middleware and handlers.
//
// Client configurations keep TLS session tickets, so that reconnecting to a
// server resumes the session; the peer is verified and authorized again on
// every resumption. Chains already verified against the same authorities
// are remembered, so that a known peer costs microseconds rather than a
// signature check per handshake, and sessions stop being resumed shortly
// before the peer's SVID expires, so that a rotation never fails a
// connection. docs/benchmarks.md has the figures.
//
// Callers behind an L7 proxy, which terminates TLS, authenticate workloads
// with JWT-SVIDs instead: see JWTVerifier.
//
// A server and a client with a dev CA:
//
//	td := spiffeid.RequireTrustDomainFromString("example.org")
//	ca, err := devca.New(devca.Config{TrustDomain: td})
//	if err != nil {
//		return err
//	}
//	backendID := spiffeid.RequireFromPath(td, "/backend")
//	backend, err := ca.Source(backendID)
//	if err != nil {
//		return err
//	}
//	srv := &http.Server{
//		Handler:   handler,
//		TLSConfig: mtls.ServerConfig(backend, mtls.AuthorizePathPrefix(td, "/web")),
//	}
//	// ... srv.ServeTLS(listener, "", "")
//
//	web, err := ca.Source(spiffeid.RequireFromPath(td, "/web"))
//	if err != nil {
//		return err
//	}
//	client := mtls.NewClient(web, mtls.AuthorizeID(backendID))
package mtls
