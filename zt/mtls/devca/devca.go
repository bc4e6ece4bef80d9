// Package devca is an in-process certificate authority for development and
// tests: it issues short-lived X.509-SVIDs (the SPIFFE ID in the URI SAN) and
// hands out sources that rotate them before they expire, so that services can
// talk over mutual TLS on a laptop or in a test with no SPIRE deployment.
//
// A dev CA is not a production CA: its key lives in process memory (or in a
// file that ztctl devca writes), and anyone holding that key can mint any
// identity of the trust domain. Use SPIRE, through the Workload API, in
// production.
//
//	ca, err := devca.New(devca.Config{TrustDomain: td})
//	if err != nil {
//		return err
//	}
//	src, err := ca.Source(spiffeid.RequireFromPath(td, "/backend"))
//	if err != nil {
//		return err
//	}
//	cfg := mtls.ServerConfig(src, mtls.AuthorizeMemberOf(td))
package devca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// KeyAlgorithm names the kind of key the CA generates.
type KeyAlgorithm string

// Key algorithms a dev CA can generate, for itself and for the SVIDs it
// issues.
const (
	// ECDSAP256 is ECDSA on the NIST P-256 curve, the default.
	ECDSAP256 KeyAlgorithm = "ecdsa-p256"
	// Ed25519 is EdDSA on Curve25519.
	Ed25519 KeyAlgorithm = "ed25519"
)

// Defaults applied by New to the zero fields of a Config.
const (
	DefaultCATTL   = 30 * 24 * time.Hour
	DefaultSVIDTTL = time.Hour
	// clockSkew backdates NotBefore so that peers whose clocks run a little
	// behind accept a fresh SVID.
	clockSkew = time.Minute
)

// Errors returned by the dev CA.
var (
	// ErrInvalidConfig means a Config or an option cannot be used.
	ErrInvalidConfig = errors.New("devca: invalid configuration")
	// ErrInvalidID means a SPIFFE ID cannot be issued by this CA: it belongs
	// to another trust domain or it has no path.
	ErrInvalidID = errors.New("devca: invalid SPIFFE ID")
)

// Config configures a dev CA. Its zero fields take the defaults documented
// on each field; TrustDomain is required.
type Config struct {
	// TrustDomain is the trust domain the CA issues for. It is required.
	TrustDomain spiffeid.TrustDomain
	// KeyAlgorithm is the algorithm of the CA key and of the SVID keys. The
	// zero value means ECDSAP256.
	KeyAlgorithm KeyAlgorithm
	// CATTL is how long the CA certificate is valid. Zero means
	// DefaultCATTL.
	CATTL time.Duration
	// SVIDTTL is how long issued SVIDs are valid. Zero means DefaultSVIDTTL.
	// Short lifetimes limit what a stolen SVID key is worth; sources rotate
	// SVIDs when half of the lifetime has passed.
	SVIDTTL time.Duration
	// Now returns the current time. Nil means time.Now; tests set it to
	// issue certificates in the past or the future.
	Now func() time.Time
}

// CA is a dev certificate authority. It is safe for concurrent use.
type CA struct {
	cfg    Config
	cert   *x509.Certificate
	key    crypto.Signer
	bundle *x509bundle.Bundle
}

// New creates a CA with a freshly generated key and a self-signed
// certificate.
func New(cfg Config) (*CA, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}

	key, err := GenerateKey(cfg.KeyAlgorithm)
	if err != nil {
		return nil, err
	}

	cert, err := selfSign(cfg, key)
	if err != nil {
		return nil, err
	}

	return newCA(cfg, cert, key), nil
}

// NewFromKey creates a CA from an existing certificate and key, for example
// ones that Load read from disk. The certificate must be a CA certificate
// for cfg.TrustDomain and must match the key.
func NewFromKey(cfg Config, cert *x509.Certificate, key crypto.Signer) (*CA, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}

	if err := checkCACert(cfg.TrustDomain, cert, key); err != nil {
		return nil, err
	}

	return newCA(cfg, cert, key), nil
}

func newCA(cfg Config, cert *x509.Certificate, key crypto.Signer) *CA {
	return &CA{
		cfg:    cfg,
		cert:   cert,
		key:    key,
		bundle: x509bundle.FromX509Authorities(cfg.TrustDomain, []*x509.Certificate{cert}),
	}
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.TrustDomain.IsZero() {
		return cfg, fmt.Errorf("%w: a trust domain is required", ErrInvalidConfig)
	}
	if cfg.KeyAlgorithm == "" {
		cfg.KeyAlgorithm = ECDSAP256
	}
	if cfg.CATTL == 0 {
		cfg.CATTL = DefaultCATTL
	}
	if cfg.SVIDTTL == 0 {
		cfg.SVIDTTL = DefaultSVIDTTL
	}
	if cfg.CATTL < 0 || cfg.SVIDTTL < 0 {
		return cfg, fmt.Errorf("%w: lifetimes must be positive", ErrInvalidConfig)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	return cfg, nil
}

func checkCACert(td spiffeid.TrustDomain, cert *x509.Certificate, key crypto.Signer) error {
	if cert == nil || key == nil {
		return fmt.Errorf("%w: a certificate and a key are required", ErrInvalidConfig)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%w: the certificate is not a CA certificate", ErrInvalidConfig)
	}

	id, err := x509svid.IDFromCert(cert)
	if err != nil || id.TrustDomain() != td {
		return fmt.Errorf("%w: the certificate is not a CA of %q", ErrInvalidConfig, td)
	}

	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Errorf("%w: the key does not match the certificate", ErrInvalidConfig)
	}

	return nil
}

// GenerateKey returns a new private key of the given algorithm; the zero
// value means ECDSAP256.
func GenerateKey(alg KeyAlgorithm) (crypto.Signer, error) {
	switch alg {
	case ECDSAP256, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	default:
		return nil, fmt.Errorf("%w: unknown key algorithm %q", ErrInvalidConfig, alg)
	}
}

func selfSign(cfg Config, key crypto.Signer) (*x509.Certificate, error) {
	now := cfg.Now()
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			Organization: []string{"ztkit dev CA"},
			CommonName:   cfg.TrustDomain.Name(),
		},
		URIs:                  []*url.URL{cfg.TrustDomain.ID().URL()},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(cfg.CATTL),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}

	return sign(tmpl, tmpl, key.Public(), key)
}

func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("devca: serial number: %w", err)
	}
	tmpl.SerialNumber = serial

	if tmpl.SubjectKeyId == nil {
		tmpl.SubjectKeyId, err = keyID(pub)
		if err != nil {
			return nil, err
		}
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("devca: sign certificate: %w", err)
	}

	return x509.ParseCertificate(der)
}

// keyID is the SHA-256 of the public key, truncated to 20 bytes, as the
// subject key identifier.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("devca: public key: %w", err)
	}

	sum := sha256.Sum256(der)
	return sum[:20], nil
}

// TrustDomain returns the trust domain the CA issues for.
func (ca *CA) TrustDomain() spiffeid.TrustDomain {
	return ca.cfg.TrustDomain
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *x509.Certificate {
	return ca.cert
}

// Bundle returns the X.509 bundle that verifies the SVIDs this CA issues. It
// is also an x509bundle.Source.
func (ca *CA) Bundle() *x509bundle.Bundle {
	return ca.bundle
}

// GetX509BundleForTrustDomain returns the CA's bundle for its own trust
// domain and an error for any other, so that a CA is an x509bundle.Source.
func (ca *CA) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	return ca.bundle.GetX509BundleForTrustDomain(td)
}

// IssueOption changes how one SVID is issued.
type IssueOption func(*issueOptions)

type issueOptions struct {
	ttl time.Duration
	alg KeyAlgorithm
}

// WithTTL sets the lifetime of the SVID instead of the CA's SVIDTTL.
func WithTTL(ttl time.Duration) IssueOption {
	return func(o *issueOptions) { o.ttl = ttl }
}

// WithKeyAlgorithm sets the algorithm of the SVID key instead of the CA's.
func WithKeyAlgorithm(alg KeyAlgorithm) IssueOption {
	return func(o *issueOptions) { o.alg = alg }
}

// Issue returns a new X.509-SVID for id with a freshly generated key. The
// leaf carries id as its only URI SAN, is not a CA, and may be used for
// digital signatures by TLS clients and servers.
func (ca *CA) Issue(id spiffeid.ID, opts ...IssueOption) (*x509svid.SVID, error) {
	o := issueOptions{ttl: ca.cfg.SVIDTTL, alg: ca.cfg.KeyAlgorithm}
	for _, opt := range opts {
		opt(&o)
	}

	if err := ca.checkID(id); err != nil {
		return nil, err
	}
	if o.ttl <= 0 {
		return nil, fmt.Errorf("%w: the SVID lifetime must be positive", ErrInvalidConfig)
	}

	key, err := GenerateKey(o.alg)
	if err != nil {
		return nil, err
	}

	cert, err := ca.SignCertificate(ca.LeafTemplate(id, o.ttl), key.Public())
	if err != nil {
		return nil, err
	}

	return &x509svid.SVID{
		ID:           id,
		Certificates: []*x509.Certificate{cert},
		PrivateKey:   key,
		Hint:         "devca",
	}, nil
}

func (ca *CA) checkID(id spiffeid.ID) error {
	switch {
	case id.IsZero():
		return fmt.Errorf("%w: empty", ErrInvalidID)
	case !id.MemberOf(ca.cfg.TrustDomain):
		return fmt.Errorf("%w: %q is not in trust domain %q", ErrInvalidID, id, ca.cfg.TrustDomain)
	case id.Path() == "":
		return fmt.Errorf("%w: %q has no path", ErrInvalidID, id)
	}

	return nil
}

// LeafTemplate returns the certificate template that Issue signs for id: a
// leaf valid from now (backdated by a minute for clock skew) for ttl,
// rounded up to a whole second, which is what X.509 times can hold. Tests
// change it to build the malformed certificates a verifier must refuse.
func (ca *CA) LeafTemplate(id spiffeid.ID, ttl time.Duration) *x509.Certificate {
	now := ca.cfg.Now()

	return &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"ztkit dev SVID"}},
		URIs:                  []*url.URL{id.URL()},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              ceilSecond(now.Add(ttl)),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{
			x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth,
		},
	}
}

// SignCertificate signs tmpl with the CA key for the public key pub, as is:
// it checks nothing, so that tests and tools can build any certificate,
// including ones that verifiers must refuse. Use Issue for SVIDs.
func (ca *CA) SignCertificate(tmpl *x509.Certificate, pub crypto.PublicKey) (*x509.Certificate, error) {
	if tmpl.AuthorityKeyId == nil {
		tmpl.AuthorityKeyId = ca.cert.SubjectKeyId
	}

	return sign(tmpl, ca.cert, pub, ca.key)
}

// ceilSecond rounds t up to a whole second, so that the one-second
// resolution of X.509 times never shortens a lifetime.
func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}

	return t
}
