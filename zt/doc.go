// Package zt holds the vocabulary that every ztkit package shares: who is calling
// (a Principal with user, device and workload facets), what they ask for (a Request),
// what policy said (a Decision with reasons and obligations), the error kinds that
// callers branch on, and context helpers that carry the Principal through a request.
//
// Package zt has no heavy imports, so that any package may depend on it.
//
// Errors returned by ztkit packages can be tested with [errors.Is] against the kind
// sentinels in this package:
//
//	if errors.Is(err, zt.ErrRevoked) {
//		// the session, token, subject, device or workload was revoked
//	}
//
// and [errors.As] with [*Error] recovers the RFC 6750 error code and the
// operator-facing reason code.
package zt
