package devca

import (
	"fmt"
	"sync"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// Source is an SVID source for one SPIFFE ID, backed by a CA: it hands out
// the current SVID and replaces it with a fresh one once half of its
// lifetime has passed, so that a peer never sees an expired SVID. It is an
// x509svid.Source and an x509bundle.Source, safe for concurrent use, and
// starts no goroutine: rotation happens on the first call after the
// half-life.
type Source struct {
	ca   *CA
	id   spiffeid.ID
	opts []IssueOption

	mu       sync.Mutex
	svid     *x509svid.SVID
	rotateAt time.Time
	issued   int
}

// Source returns a rotating source of SVIDs for id, with a first SVID
// already issued.
func (ca *CA) Source(id spiffeid.ID, opts ...IssueOption) (*Source, error) {
	s := &Source{ca: ca, id: id, opts: opts}

	if err := s.rotate(); err != nil {
		return nil, err
	}

	return s, nil
}

// GetX509SVID returns the current SVID, issuing a new one first when the
// current one has passed half of its lifetime.
func (s *Source) GetX509SVID() (*x509svid.SVID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if !s.ca.cfg.Now().Before(s.rotateAt) {
		if err := s.rotate(); err != nil {
			return nil, err
		}
	}

	return s.svid, nil
}

// GetX509BundleForTrustDomain returns the CA's bundle for its trust domain.
func (s *Source) GetX509BundleForTrustDomain(td spiffeid.TrustDomain) (*x509bundle.Bundle, error) {
	return s.ca.GetX509BundleForTrustDomain(td)
}

// Rotate replaces the current SVID with a freshly issued one now.
func (s *Source) Rotate() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.rotate()
}

// Issued reports how many SVIDs the source has issued, the first included.
func (s *Source) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.issued
}

// rotate issues a new SVID; s.mu is held, or s is not yet shared.
func (s *Source) rotate() error {
	now := s.ca.cfg.Now()

	svid, err := s.ca.Issue(s.id, s.opts...)
	if err != nil {
		return fmt.Errorf("devca: rotate %q: %w", s.id, err)
	}

	s.svid = svid
	s.rotateAt = now.Add(svid.Certificates[0].NotAfter.Sub(now) / 2)
	s.issued++

	return nil
}
