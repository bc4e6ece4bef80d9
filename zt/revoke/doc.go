// Package revoke holds the live revocation state that makes verification
// continuous: a token (its jti), a session (sid), a subject, a device or a
// workload (its SPIFFE ID) that is revoked is refused on its very next request,
// not at token expiry.
//
// A [List] is an in-memory set of revocation [Entry] values, each with an
// expiry so that the set does not grow forever. It implements
// [zt.RevocationChecker] with lookups that take no lock and allocate nothing,
// so that it can sit on every request path: after token verification (cached
// tokens too), at the mTLS handshake and on each request of a live connection.
//
// [List.Lift] withdraws an entry before it expires (a quarantine that is over,
// a mistaken revocation): the principal is accepted again from its next
// request or handshake. redissync's Replicator.Lift does so on every replica.
//
// Subpackage redissync shares a List across replicas through Redis (a durable
// set and a pub/sub channel); subpackage caep feeds it from a Shared Signals
// transmitter.
//
//	revoked := revoke.NewList(revoke.Config{})
//	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
//		Revocation: revoked,
//		// ...
//	})
//	// ...
//	err = revoked.Revoke(revoke.Entry{Kind: revoke.Session, Value: sid})
//	// ... a revocation made by mistake:
//	_, err = revoked.Lift(revoke.Session, sid)
package revoke
