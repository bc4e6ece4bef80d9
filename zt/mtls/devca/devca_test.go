package devca_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/ztkit/ztkit/zt/mtls/devca"
)

var td = spiffeid.RequireTrustDomainFromString("example.org")

// clock is a settable time source for rotation tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestIssueVerifiesAgainstBundle(t *testing.T) {
	for _, alg := range []devca.KeyAlgorithm{devca.ECDSAP256, devca.Ed25519} {
		t.Run(string(alg), func(t *testing.T) {
			ca, err := devca.New(devca.Config{TrustDomain: td, KeyAlgorithm: alg})
			if err != nil {
				t.Fatal(err)
			}

			id := spiffeid.RequireFromPath(td, "/web")
			svid, err := ca.Issue(id, devca.WithTTL(5*time.Minute))
			if err != nil {
				t.Fatal(err)
			}

			got, _, err := x509svid.Verify(svid.Certificates, ca)
			if err != nil || got != id {
				t.Fatalf("verify: %v, %v", got, err)
			}
			if ttl := time.Until(svid.Certificates[0].NotAfter); ttl > 5*time.Minute+time.Second {
				t.Fatalf("lifetime %v, want 5m", ttl)
			}
		})
	}
}

func TestIssueRefusesForeignIDs(t *testing.T) {
	ca, err := devca.New(devca.Config{TrustDomain: td})
	if err != nil {
		t.Fatal(err)
	}

	for name, id := range map[string]spiffeid.ID{
		"zero":               {},
		"other trust domain": spiffeid.RequireFromString("spiffe://other.org/web"),
		"no path":            td.ID(),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ca.Issue(id); !errors.Is(err, devca.ErrInvalidID) {
				t.Fatalf("got %v, want ErrInvalidID", err)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]devca.Config{
		"no trust domain":  {},
		"unknown key":      {TrustDomain: td, KeyAlgorithm: "rsa-512"},
		"negative SVIDTTL": {TrustDomain: td, SVIDTTL: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := devca.New(cfg); !errors.Is(err, devca.ErrInvalidConfig) {
				t.Fatalf("got %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestSourceRotatesAtHalfLife(t *testing.T) {
	clk := &clock{now: time.Now()}
	ca, err := devca.New(devca.Config{TrustDomain: td, SVIDTTL: time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}

	src, err := ca.Source(spiffeid.RequireFromPath(td, "/web"))
	if err != nil {
		t.Fatal(err)
	}

	first, _ := src.GetX509SVID()
	clk.Advance(29 * time.Minute)
	if again, _ := src.GetX509SVID(); again != first {
		t.Fatal("rotated before half of the lifetime")
	}

	clk.Advance(2 * time.Minute)
	next, _ := src.GetX509SVID()
	if next == first || src.Issued() != 2 {
		t.Fatalf("not rotated after half of the lifetime (%d issued)", src.Issued())
	}
	if !next.Certificates[0].NotAfter.After(first.Certificates[0].NotAfter) {
		t.Fatal("rotated SVID does not outlive the first")
	}
}

func TestWriteFilesAndLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	ca, err := devca.New(devca.Config{TrustDomain: td, KeyAlgorithm: devca.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}

	fi, err := os.Stat(filepath.Join(dir, devca.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}
	if err := ca.WriteFiles(dir); err == nil {
		t.Fatal("overwrote an existing CA key")
	}

	loaded, err := devca.Load(dir, devca.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if loaded.TrustDomain() != td || !loaded.Certificate().Equal(ca.Certificate()) {
		t.Fatal("loaded a different CA")
	}

	svid, err := loaded.Issue(spiffeid.RequireFromPath(td, "/web"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := x509svid.Verify(svid.Certificates, ca); err != nil {
		t.Fatalf("SVID from the loaded CA: %v", err)
	}
}

func TestLoadRefusesMismatchedKey(t *testing.T) {
	a, _ := devca.New(devca.Config{TrustDomain: td})
	b, _ := devca.New(devca.Config{TrustDomain: td})
	dirA, dirB := t.TempDir(), t.TempDir()
	if err := a.WriteFiles(dirA); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFiles(dirB); err != nil {
		t.Fatal(err)
	}

	if err := os.Rename(filepath.Join(dirB, devca.KeyFile), filepath.Join(dirA, devca.KeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := devca.Load(dirA, devca.Config{}); !errors.Is(err, devca.ErrInvalidConfig) {
		t.Fatalf("got %v, want ErrInvalidConfig", err)
	}
}
