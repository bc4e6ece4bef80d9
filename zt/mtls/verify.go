package mtls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
)

// Verify checks a peer's certificate chain, leaf first, at time now: the
// strict X.509-SVID checks of IDFromCert, the leaf's validity period, and a
// chain to an authority in the bundle of the leaf's trust domain. It returns
// the peer's SPIFFE ID and the verified chains. A refusal is a *zt.Error of
// kind zt.ErrUnauthenticated that also matches ErrNoPeerCertificate,
// ErrInvalidSVID, ErrExpired, ErrNotYetValid or ErrUntrusted.
func Verify(certs []*x509.Certificate, bundles x509bundle.Source, now time.Time) (
	spiffeid.ID, [][]*x509.Certificate, error,
) {
	var pools poolCache
	return pools.verify(certs, bundles, now)
}

// poolCache keeps one x509.CertPool per trust domain, rebuilt only when
// the bundle's authorities change, and remembers the chains it verified,
// so that a handshake with a peer whose chain was already verified against
// the same authorities skips the signature checks (see verifiedCache).
type poolCache struct {
	mu       sync.Mutex
	pools    map[spiffeid.TrustDomain]*rootPool
	verified verifiedCache
}

type rootPool struct {
	authorities []*x509.Certificate
	pool        *x509.CertPool
}

// roots returns the pool of the trust domain's authorities, and those
// authorities, from the pool cache.
func (c *poolCache) roots(bundles x509bundle.Source, td spiffeid.TrustDomain) (*rootPool, error) {
	if bundles == nil {
		return nil, errors.New("no bundle source")
	}

	bundle, err := bundles.GetX509BundleForTrustDomain(td)
	if err != nil {
		return nil, err
	}

	authorities := bundle.X509Authorities()
	if len(authorities) == 0 {
		return nil, fmt.Errorf("the bundle of %q is empty", td)
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if p := c.pools[td]; p != nil && slices.Equal(p.authorities, authorities) {
		return p, nil
	}

	pool := x509.NewCertPool()
	for _, cert := range authorities {
		pool.AddCert(cert)
	}

	if c.pools == nil {
		c.pools = make(map[spiffeid.TrustDomain]*rootPool)
	}
	p := &rootPool{authorities: authorities, pool: pool}
	c.pools[td] = p

	return p, nil
}

func (c *poolCache) verify(certs []*x509.Certificate, bundles x509bundle.Source, now time.Time) (
	spiffeid.ID, [][]*x509.Certificate, error,
) {
	if len(certs) == 0 {
		return spiffeid.ID{}, nil, refuse(ReasonNoCertificate, ErrNoPeerCertificate, "empty chain")
	}

	leaf := certs[0]

	id, err := IDFromCert(leaf)
	if err != nil {
		return spiffeid.ID{}, nil, zt.NewError(zt.ErrUnauthenticated, "", ReasonInvalidSVID, err)
	}

	if err := checkValidity(leaf, now); err != nil {
		return id, nil, err
	}

	roots, err := c.roots(bundles, id.TrustDomain())
	if err != nil {
		return id, nil, refuse(ReasonUntrusted, ErrUntrusted, "%s: %w", id, err)
	}

	key := chainKey(certs)
	if v := c.verified.get(key, roots, now); v != nil {
		return id, v.chains, nil
	}

	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots.pool,
		Intermediates: intermediates(certs[1:]),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		CurrentTime:   now,
	})
	if err != nil {
		return id, nil, refuse(ReasonUntrusted, ErrUntrusted, "%s: %w", id, err)
	}

	c.verified.put(key, roots, chains)

	return id, chains, nil
}

func checkValidity(leaf *x509.Certificate, now time.Time) error {
	switch {
	case now.After(leaf.NotAfter):
		return refuse(ReasonExpired, ErrExpired, "expired at %s",
			leaf.NotAfter.UTC().Format(time.RFC3339))
	case now.Before(leaf.NotBefore):
		return refuse(ReasonNotYetValid, ErrNotYetValid, "valid from %s",
			leaf.NotBefore.UTC().Format(time.RFC3339))
	}

	return nil
}

func intermediates(certs []*x509.Certificate) *x509.CertPool {
	if len(certs) == 0 {
		return nil
	}

	pool := x509.NewCertPool()
	for _, cert := range certs {
		pool.AddCert(cert)
	}

	return pool
}

// verifier authenticates and authorizes the peer of one side of a TLS
// connection. Its verifyConnection method is installed as
// tls.Config.VerifyConnection, which Go calls on full and resumed
// handshakes alike.
type verifier struct {
	bundles    x509bundle.Source
	authorize  Authorizer
	revocation zt.RevocationChecker
	timeout    time.Duration
	now        func() time.Time
	pools      poolCache
}

func (v *verifier) verifyConnection(cs tls.ConnectionState) error {
	id, chains, err := v.pools.verify(cs.PeerCertificates, v.bundles, v.now())
	if err != nil {
		return err
	}

	if err := v.authorizeID(id, chains); err != nil {
		return err
	}

	if v.revocation == nil {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), v.timeout)
	defer cancel()

	return checkQuarantine(ctx, v.revocation, id)
}

func (v *verifier) authorizeID(id spiffeid.ID, chains [][]*x509.Certificate) error {
	if v.authorize == nil {
		return forbid(id, errors.New("no authorizer is configured"))
	}

	if err := v.authorize(id, chains); err != nil {
		return forbid(id, err)
	}

	return nil
}

// forbid builds the *zt.Error for a peer that the authorizer refused.
func forbid(id spiffeid.ID, err error) error {
	cause := err
	if !errors.Is(err, ErrNotAuthorized) {
		cause = fmt.Errorf("%w: %s: %w", ErrNotAuthorized, id, err)
	}

	return zt.NewError(zt.ErrForbidden, "", zt.ReasonWorkloadDenied, cause)
}

// checkQuarantine asks the revocation state whether id is quarantined. An
// error other than a revocation means the state is unknown: it refuses the
// peer, failing closed.
func checkQuarantine(ctx context.Context, rc zt.RevocationChecker, id spiffeid.ID) error {
	if rc == nil {
		return nil
	}

	err := rc.CheckRevoked(ctx, &zt.Principal{Workload: workloadOf(id)})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, zt.ErrRevoked):
		cause := fmt.Errorf("%w: %s: %w", ErrQuarantined, id, err)
		return zt.NewError(zt.ErrRevoked, "", zt.ReasonRevoked, cause)
	default:
		cause := fmt.Errorf("mtls: quarantine state of %s unknown: %w", id, err)
		return zt.NewError(zt.ErrUnavailable, "", ReasonUnavailable, cause)
	}
}

func workloadOf(id spiffeid.ID) *zt.Workload {
	return &zt.Workload{ID: id.String(), TrustDomain: id.TrustDomain().Name()}
}
