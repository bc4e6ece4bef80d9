package mtls

import (
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/zt"
)

// Source provides a workload's own X.509-SVID and the bundles that verify
// its peers. A go-spiffe workloadapi.X509Source (SPIRE), a FileSource and a
// devca.Source are all Sources.
type Source interface {
	x509svid.Source
	x509bundle.Source
}

// DefaultCheckTimeout bounds the quarantine check made during a handshake
// when WithCheckTimeout is not given.
const DefaultCheckTimeout = 2 * time.Second

// resumptionMargin is how long before its peer's SVID expires a TLS
// session stops being resumed. Go refuses to resume a session whose peer
// certificate has expired at tls.Config.Time, and VerifyConnection checks
// expiry again a moment later: without a margin, a resumption at the
// instant of expiry passes the first check and fails the second, failing
// the connection instead of falling back to a full handshake with the
// rotated SVID.
const resumptionMargin = 10 * time.Second

// sessionCacheSize is the number of servers whose TLS sessions a client
// config remembers by default.
const sessionCacheSize = 256

// Option changes how a TLS configuration authenticates peers.
type Option func(*options)

type options struct {
	bundles      x509bundle.Source
	revocation   zt.RevocationChecker
	timeout      time.Duration
	sessionCache tls.ClientSessionCache
	// sessionCacheSet tells a nil sessionCache given on purpose from none.
	sessionCacheSet bool
	now             func() time.Time
}

func newOptions(src x509bundle.Source, opts []Option) *options {
	o := &options{bundles: src, timeout: DefaultCheckTimeout, now: time.Now}
	for _, opt := range opts {
		opt(o)
	}

	return o
}

// WithBundles verifies peers against bundles instead of the Source's own
// bundles, for example a federated set of trust domains.
func WithBundles(bundles x509bundle.Source) Option {
	return func(o *options) { o.bundles = bundles }
}

// WithQuarantine refuses, at handshake, a peer whose workload rc reports as
// revoked. When rc fails for another reason the peer is refused too: the
// state is unknown and the handshake fails closed. Use Quarantine as well to
// refuse each request of a connection that was established before the
// workload was quarantined.
func WithQuarantine(rc zt.RevocationChecker) Option {
	return func(o *options) { o.revocation = rc }
}

// WithCheckTimeout bounds the quarantine check made during a handshake.
// Zero or less keeps DefaultCheckTimeout.
func WithCheckTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithSessionCache sets the cache in which a client keeps TLS session
// tickets for resumption. Without it a client config gets its own LRU
// cache; a nil cache disables resumption.
func WithSessionCache(cache tls.ClientSessionCache) Option {
	return func(o *options) {
		o.sessionCache = cache
		o.sessionCacheSet = true
	}
}

// WithClock sets the clock used to check the validity period of peers'
// SVIDs. It is meant for tests.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

func (o *options) verifier(authz Authorizer) *verifier {
	return &verifier{
		bundles:    o.bundles,
		authorize:  authz,
		revocation: o.revocation,
		timeout:    o.timeout,
		now:        o.now,
	}
}

// ServerConfig returns a TLS 1.3 server configuration that presents the
// Source's SVID, requires a client SVID, verifies it against the Source's
// bundles with the strict checks of IDFromCert, and lets authz decide. A nil
// authz refuses every client: allowing any peer takes AuthorizeAny.
func ServerConfig(src Source, authz Authorizer, opts ...Option) *tls.Config {
	cfg := &tls.Config{}
	HardenServerConfig(cfg, src, authz, opts...)

	return cfg
}

// ClientConfig returns a TLS 1.3 client configuration that presents the
// Source's SVID, verifies the server's SVID like ServerConfig verifies a
// client's, and lets authz decide, typically AuthorizeID with the ID the
// server must have. The configuration keeps session tickets in an LRU
// cache, so that reconnecting to a server resumes the session; the peer is
// verified and authorized again on every resumption.
func ClientConfig(src Source, authz Authorizer, opts ...Option) *tls.Config {
	cfg := &tls.Config{}
	HardenClientConfig(cfg, src, authz, opts...)

	return cfg
}

// HardenServerConfig turns an existing server configuration into one that
// behaves like ServerConfig, keeping its unrelated settings (NextProtos,
// cipher and curve preferences, session ticket keys). It replaces every
// certificate field, raises MinVersion to TLS 1.3, removes
// GetConfigForClient (which could bypass the checks), and runs a
// VerifyConnection that was already set after its own checks.
func HardenServerConfig(cfg *tls.Config, src Source, authz Authorizer, opts ...Option) {
	o := newOptions(src, opts)

	resetAuth(cfg)
	setTime(cfg, o)
	cfg.ClientAuth = tls.RequireAnyClientCert
	cfg.GetCertificate = newCertGetter(src).serverCert
	cfg.VerifyConnection = chain(o.verifier(authz).verifyConnection, cfg.VerifyConnection)
}

// HardenClientConfig turns an existing client configuration into one that
// behaves like ClientConfig. It sets InsecureSkipVerify, which only turns
// off Go's Web PKI checks (root pool and host name): the SVID chain and the
// server's SPIFFE ID are checked in VerifyConnection instead, which fails
// closed.
func HardenClientConfig(cfg *tls.Config, src Source, authz Authorizer, opts ...Option) {
	o := newOptions(src, opts)

	resetAuth(cfg)
	setTime(cfg, o)
	cfg.GetClientCertificate = newCertGetter(src).clientCert
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = chain(o.verifier(authz).verifyConnection, cfg.VerifyConnection)

	switch {
	case o.sessionCacheSet:
		cfg.ClientSessionCache = o.sessionCache
	case cfg.ClientSessionCache == nil:
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(sessionCacheSize)
	}
}

func resetAuth(cfg *tls.Config) {
	if cfg.MinVersion < tls.VersionTLS13 {
		cfg.MinVersion = tls.VersionTLS13
	}
	if cfg.MaxVersion != 0 && cfg.MaxVersion < tls.VersionTLS13 {
		cfg.MaxVersion = 0
	}

	cfg.Certificates = nil
	//lint:ignore SA1019 cleared so that a stale map cannot bypass the SVID
	cfg.NameToCertificate = nil
	cfg.GetCertificate = nil
	cfg.GetClientCertificate = nil
	cfg.GetConfigForClient = nil
	cfg.RootCAs = nil
	cfg.ClientCAs = nil
	cfg.ClientAuth = tls.NoClientCert
	cfg.InsecureSkipVerify = false
}

// setTime shifts the clock that crypto/tls uses for session resumption by
// resumptionMargin, unless the caller set one. Go uses it only for session
// ticket ages and the expiry of resumed peers here: these configurations
// verify certificates themselves, with the unshifted clock.
func setTime(cfg *tls.Config, o *options) {
	if cfg.Time != nil {
		return
	}

	now := o.now
	cfg.Time = func() time.Time { return now().Add(resumptionMargin) }
}

func chain(first, then func(tls.ConnectionState) error) func(tls.ConnectionState) error {
	if then == nil {
		return first
	}

	return func(cs tls.ConnectionState) error {
		if err := first(cs); err != nil {
			return err
		}

		return then(cs)
	}
}

// certGetter turns the Source's current SVID into a tls.Certificate and
// keeps it until the Source hands out another SVID, so that a handshake
// neither copies the chain nor allocates a certificate.
type certGetter struct {
	src  x509svid.Source
	last atomic.Pointer[cachedCert]
}

type cachedCert struct {
	svid *x509svid.SVID
	cert *tls.Certificate
}

func newCertGetter(src x509svid.Source) *certGetter {
	return &certGetter{src: src}
}

func (g *certGetter) serverCert(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return g.get()
}

func (g *certGetter) clientCert(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return g.get()
}

func (g *certGetter) get() (*tls.Certificate, error) {
	if g.src == nil {
		return nil, errors.New("mtls: no SVID source")
	}

	svid, err := g.src.GetX509SVID()
	if err != nil {
		return nil, fmt.Errorf("mtls: get SVID: %w", err)
	}

	if c := g.last.Load(); c != nil && c.svid == svid {
		return c.cert, nil
	}

	cert := tlsCertificate(svid)
	g.last.Store(&cachedCert{svid: svid, cert: cert})

	return cert, nil
}

func tlsCertificate(svid *x509svid.SVID) *tls.Certificate {
	chain := make([][]byte, 0, len(svid.Certificates))
	for _, c := range svid.Certificates {
		chain = append(chain, c.Raw)
	}

	return &tls.Certificate{
		Certificate: chain,
		PrivateKey:  svid.PrivateKey,
		Leaf:        svid.Certificates[0],
	}
}
