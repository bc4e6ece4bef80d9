package mtls

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
)

// Authorizer decides whether a verified peer may connect. It receives the
// peer's SPIFFE ID and the chains that verified it, and returns nil to allow
// or an error to refuse. It has the same shape as go-spiffe's
// tlsconfig.Authorizer, which converts to it.
type Authorizer func(id spiffeid.ID, verifiedChains [][]*x509.Certificate) error

// AuthorizeAny allows every peer whose SVID verifies against the bundles.
// It must be asked for explicitly: a nil Authorizer refuses every peer.
func AuthorizeAny() Authorizer {
	return func(spiffeid.ID, [][]*x509.Certificate) error { return nil }
}

// AuthorizeID allows the peers whose SPIFFE ID is one of ids.
func AuthorizeID(ids ...spiffeid.ID) Authorizer {
	allowed := slices.Clone(ids)

	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if slices.Contains(allowed, id) {
			return nil
		}

		return fmt.Errorf("%w: %s is not an allowed ID", ErrNotAuthorized, id)
	}
}

// AuthorizeMemberOf allows the peers of any of the trust domains tds.
func AuthorizeMemberOf(tds ...spiffeid.TrustDomain) Authorizer {
	allowed := slices.Clone(tds)

	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if slices.Contains(allowed, id.TrustDomain()) {
			return nil
		}

		return fmt.Errorf("%w: %s is outside the allowed trust domains", ErrNotAuthorized, id)
	}
}

// AuthorizePathPrefix allows the peers of trust domain td whose path is
// prefix or lies below it, segment by segment: the prefix "/payments"
// allows "/payments" and "/payments/api" but not "/payments-admin". A
// trailing slash on prefix is ignored.
func AuthorizePathPrefix(td spiffeid.TrustDomain, prefix string) Authorizer {
	prefix = strings.TrimSuffix(prefix, "/")

	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if id.MemberOf(td) && underPath(id.Path(), prefix) {
			return nil
		}

		return fmt.Errorf("%w: %s is not under %s%s", ErrNotAuthorized, id, td.IDString(), prefix)
	}
}

func underPath(path, prefix string) bool {
	if prefix == "" {
		return true
	}

	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || rest[0] == '/')
}

// AuthorizeAll allows a peer only when every one of authz allows it. With
// no authorizers it refuses every peer.
func AuthorizeAll(authz ...Authorizer) Authorizer {
	list := slices.Clone(authz)

	return func(id spiffeid.ID, chains [][]*x509.Certificate) error {
		if len(list) == 0 {
			return fmt.Errorf("%w: no authorizer", ErrNotAuthorized)
		}

		for _, a := range list {
			if a == nil {
				return fmt.Errorf("%w: nil authorizer", ErrNotAuthorized)
			}
			if err := a(id, chains); err != nil {
				return err
			}
		}

		return nil
	}
}

// PolicyFunc asks a policy decision point about a principal's request. It
// must deny (Allow false) or fail when it cannot decide. With the zt/pep
// engine:
//
//	func(ctx context.Context, p *zt.Principal, req *zt.Request) (zt.Decision, error) {
//		return engine.Decide(ctx, &pep.Input{Principal: p, Request: *req})
//	}
type PolicyFunc func(ctx context.Context, p *zt.Principal, req *zt.Request) (zt.Decision, error)

// AuthorizePolicy asks decide whether the peer may connect: the principal
// has only a Workload facet (the peer's SPIFFE ID, which a zt/pep policy
// sees as input.workload) and the request names action, with the method
// "CONNECT". Anything but an explicit allow within timeout refuses the
// peer. The TLS handshake carries no context, so the decision runs under a
// fresh one bounded by timeout (DefaultCheckTimeout when zero or less).
func AuthorizePolicy(decide PolicyFunc, action string, timeout time.Duration) Authorizer {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}

	return func(id spiffeid.ID, _ [][]*x509.Certificate) error {
		if decide == nil {
			return fmt.Errorf("%w: %s: no policy", ErrNotAuthorized, id)
		}

		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()

		p := &zt.Principal{Workload: workloadOf(id)}
		req := &zt.Request{Action: action, Method: "CONNECT", Time: time.Now()}

		dec, err := decide(ctx, p, req)
		switch {
		case err != nil:
			return fmt.Errorf("%w: %s: policy failed: %w", ErrNotAuthorized, id, err)
		case !dec.Allow:
			return fmt.Errorf("%w: %s: policy denied %v", ErrNotAuthorized, id, dec.Reasons)
		}

		return nil
	}
}
