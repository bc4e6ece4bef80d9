package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// Limits from the SPIFFE ID specification.
const (
	// MaxIDLength is the longest SPIFFE ID, in bytes, that is accepted.
	MaxIDLength = 2048
	// MaxTrustDomainLength is the longest trust domain name accepted.
	MaxTrustDomainLength = 255
)

const spiffeScheme = "spiffe://"

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// uriTag is the context-specific tag of uniformResourceIdentifier in
// GeneralName (RFC 5280, section 4.2.1.6).
const uriTag = 6

// ParseID parses a workload SPIFFE ID strictly: at most MaxIDLength bytes, the
// scheme and trust domain in lower case, no percent-encoding anywhere, and a
// non-empty path (an ID without a path names a trust domain, not a
// workload). Authorizers, policies and audit records can then compare IDs as
// plain strings.
func ParseID(s string) (spiffeid.ID, error) {
	switch {
	case len(s) > MaxIDLength:
		return spiffeid.ID{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidID, MaxIDLength)
	case strings.ContainsRune(s, '%'):
		return spiffeid.ID{}, fmt.Errorf("%w: percent-encoding is not allowed", ErrInvalidID)
	case !strings.HasPrefix(s, spiffeScheme):
		return spiffeid.ID{}, fmt.Errorf("%w: scheme must be %q in lower case",
			ErrInvalidID, spiffeScheme)
	}

	id, err := spiffeid.FromString(s)
	if err != nil {
		return spiffeid.ID{}, fmt.Errorf("%w: %w", ErrInvalidID, err)
	}

	switch {
	case id.Path() == "":
		return spiffeid.ID{}, fmt.Errorf("%w: %q has no path", ErrInvalidID, s)
	case len(id.TrustDomain().Name()) > MaxTrustDomainLength:
		return spiffeid.ID{}, fmt.Errorf("%w: trust domain longer than %d bytes",
			ErrInvalidID, MaxTrustDomainLength)
	}

	return id, nil
}

// ParseTrustDomain parses a trust domain name, refusing upper case (which
// go-spiffe also refuses) and names longer than MaxTrustDomainLength.
func ParseTrustDomain(name string) (spiffeid.TrustDomain, error) {
	if len(name) > MaxTrustDomainLength {
		return spiffeid.TrustDomain{}, fmt.Errorf("%w: trust domain longer than %d bytes",
			ErrInvalidID, MaxTrustDomainLength)
	}

	td, err := spiffeid.TrustDomainFromString(name)
	if err != nil {
		return spiffeid.TrustDomain{}, fmt.Errorf("%w: %w", ErrInvalidID, err)
	}

	return td, nil
}

// IDFromCert returns the SPIFFE ID of an X.509-SVID leaf certificate after
// the checks of the X.509-SVID specification that go-spiffe leaves out or
// applies loosely: the leaf is not a CA and cannot sign certificates or
// CRLs, its key usage includes digitalSignature, it has exactly one URI SAN,
// and that SAN, read as the bytes in the certificate rather than as Go's
// normalized URL, is a workload ID that ParseID accepts. Errors match
// ErrInvalidSVID.
func IDFromCert(leaf *x509.Certificate) (spiffeid.ID, error) {
	if err := checkLeaf(leaf); err != nil {
		return spiffeid.ID{}, fmt.Errorf("%w: %w", ErrInvalidSVID, err)
	}

	uris, err := rawURISANs(leaf)
	if err != nil {
		return spiffeid.ID{}, fmt.Errorf("%w: %w", ErrInvalidSVID, err)
	}

	switch {
	case len(uris) == 0:
		return spiffeid.ID{}, fmt.Errorf("%w: no URI SAN", ErrInvalidSVID)
	case len(uris) > 1:
		return spiffeid.ID{}, fmt.Errorf("%w: %d URI SANs, want exactly one", ErrInvalidSVID, len(uris))
	}

	id, err := ParseID(uris[0])
	if err != nil {
		return spiffeid.ID{}, fmt.Errorf("%w: %w", ErrInvalidSVID, err)
	}

	return id, nil
}

func checkLeaf(leaf *x509.Certificate) error {
	switch {
	case leaf == nil:
		return errors.New("no certificate")
	case leaf.IsCA:
		return errors.New("leaf is a CA certificate")
	case leaf.KeyUsage&x509.KeyUsageCertSign != 0:
		return errors.New("leaf has the keyCertSign key usage")
	case leaf.KeyUsage&x509.KeyUsageCRLSign != 0:
		return errors.New("leaf has the cRLSign key usage")
	case leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0:
		return errors.New("leaf lacks the digitalSignature key usage")
	}

	return nil
}

// rawURISANs returns the URI entries of the subject alternative name
// extension exactly as encoded, before Go's URL parser lower-cases the
// scheme or decodes percent-escapes.
func rawURISANs(cert *x509.Certificate) ([]string, error) {
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			return parseURISANs(ext.Value)
		}
	}

	return nil, nil
}

func parseURISANs(der []byte) ([]string, error) {
	var seq asn1.RawValue

	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil || len(rest) != 0 || !seq.IsCompound || seq.Tag != asn1.TagSequence {
		return nil, errors.New("malformed subject alternative name extension")
	}

	var uris []string
	for rest = seq.Bytes; len(rest) > 0; {
		var name asn1.RawValue

		rest, err = asn1.Unmarshal(rest, &name)
		if err != nil {
			return nil, errors.New("malformed subject alternative name")
		}

		if name.Class == asn1.ClassContextSpecific && name.Tag == uriTag {
			uris = append(uris, string(name.Bytes))
		}
	}

	return uris, nil
}
