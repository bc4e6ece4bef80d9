// Package caep receives Shared Signals: Security Event Tokens (RFC 8417)
// pushed by a transmitter over HTTP (RFC 8935), carrying Continuous Access
// Evaluation Profile events, and turns them into revocations and risk updates.
//
// Each SET is verified with zt/token against the transmitter's JWKS
// ([VerifierConfig] gives the settings), refused if it is too old or has been
// seen before (a [ReplayStore]; redissync.ReplayStore shares one across
// replicas), and mapped:
//
//   - session-revoked: the session is revoked (or, for a user subject, every
//     credential of the user issued before the event);
//   - credential-change (update, revoke, delete): every credential of the user
//     issued before the event is revoked;
//   - device-compliance-change: a non-compliant device has its older
//     credentials revoked and its risk raised; a compliant one has it cleared;
//   - assurance-level-change: a decrease raises the risk, an increase clears it.
//
// Bad SETs get the RFC 8935 error codes (invalid_request, invalid_key,
// invalid_issuer, invalid_audience, authentication_failed, access_denied).
//
//	v, err := token.NewVerifier(ctx, caep.VerifierConfig(iss, []string{aud}, jwksURL))
//	// ...
//	rx, err := caep.NewReceiver(caep.Config{Verifier: v, Revoker: caep.ListRevoker(list)})
//	// ...
//	mux.Handle("POST /ssf/events", rx)
package caep
