package mtls

import (
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"sync"
	"time"
)

// verifiedCacheSize bounds the number of peer chains a configuration
// remembers; it is far more than the number of SVIDs a service sees
// between two rotations.
const verifiedCacheSize = 1024

// verifiedCache remembers the outcome of chain verification for a peer
// chain, keyed by the SHA-256 of the chain's certificates. A TLS 1.3 client
// presents the same SVID on every connection until it rotates, and a
// resumed session restores the same certificates, so without it each
// handshake would repeat the same signature checks (one ECDSA P-256
// verification per certificate, about 130 µs each on a small machine).
//
// An entry is used only while the trust domain's authorities are the very
// ones it was verified against and the current time is inside the validity
// of every certificate of its chains; otherwise the chain is verified
// again. The strict SVID checks, the authorizer and the quarantine check
// are not cached: they run on every handshake.
type verifiedCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*verifiedChain
}

type verifiedChain struct {
	authorities []*x509.Certificate
	chains      [][]*x509.Certificate
	notBefore   time.Time
	notAfter    time.Time
}

func chainKey(certs []*x509.Certificate) [sha256.Size]byte {
	h := sha256.New()
	for _, c := range certs {
		// The DER length prefix keeps certificate boundaries unambiguous.
		h.Write(c.Raw)
	}

	var key [sha256.Size]byte
	h.Sum(key[:0])

	return key
}

func (c *verifiedCache) get(key [sha256.Size]byte, roots *rootPool, now time.Time) *verifiedChain {
	c.mu.Lock()
	v := c.entries[key]
	c.mu.Unlock()

	switch {
	case v == nil:
		return nil
	case !slices.Equal(v.authorities, roots.authorities):
		return nil
	case now.Before(v.notBefore) || now.After(v.notAfter):
		return nil
	}

	return v
}

func (c *verifiedCache) put(key [sha256.Size]byte, roots *rootPool, chains [][]*x509.Certificate) {
	v := &verifiedChain{authorities: roots.authorities, chains: chains}
	for _, chain := range chains {
		for _, cert := range chain {
			if v.notBefore.IsZero() || cert.NotBefore.After(v.notBefore) {
				v.notBefore = cert.NotBefore
			}
			if v.notAfter.IsZero() || cert.NotAfter.Before(v.notAfter) {
				v.notAfter = cert.NotAfter
			}
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if c.entries == nil {
		c.entries = make(map[[sha256.Size]byte]*verifiedChain)
	}
	if len(c.entries) >= verifiedCacheSize {
		// Drop an arbitrary entry: map iteration order is random.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = v
}
