package mtls_test

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"workload", "spiffe://example.org/web", true},
		{"nested path", "spiffe://example.org/ns/prod/sa/web", true},
		{"longest allowed", "spiffe://example.org/" + strings.Repeat("a", mtls.MaxIDLength-21), true},
		{"too long", "spiffe://example.org/" + strings.Repeat("a", mtls.MaxIDLength-20), false},
		{"no path", "spiffe://example.org", false},
		{"trailing slash", "spiffe://example.org/web/", false},
		{"percent-encoded path", "spiffe://example.org/%61dmin", false},
		{"percent-encoded trust domain", "spiffe://ex%61mple.org/web", false},
		{"upper-case trust domain", "spiffe://Example.org/web", false},
		{"upper-case scheme", "SPIFFE://example.org/web", false},
		{"other scheme", "https://example.org/web", false},
		{"query", "spiffe://example.org/web?x=1", false},
		{"fragment", "spiffe://example.org/web#x", false},
		{"port", "spiffe://example.org:443/web", false},
		{"user info", "spiffe://user@example.org/web", false},
		{"dot segment", "spiffe://example.org/a/../admin", false},
		{"empty segment", "spiffe://example.org/a//b", false},
		{"empty", "", false},
		{"trust domain too long", "spiffe://" + strings.Repeat("a", mtls.MaxTrustDomainLength+1) + "/w", false},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := mtls.ParseID(tc.in)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("ParseID(%q): %v", tc.in, err)
			case tc.ok && id.String() != tc.in:
				t.Fatalf("ParseID(%q) = %q", tc.in, id)
			case !tc.ok && !errors.Is(err, mtls.ErrInvalidID):
				t.Fatalf("ParseID(%q) = %v, want ErrInvalidID", tc.in, err)
			}
		})
	}
}

func TestParseTrustDomain(t *testing.T) {
	if _, err := mtls.ParseTrustDomain("example.org"); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"Example.org", "", strings.Repeat("a", 256), "ex ample.org"} {
		if _, err := mtls.ParseTrustDomain(bad); !errors.Is(err, mtls.ErrInvalidID) {
			t.Errorf("ParseTrustDomain(%q) = %v, want ErrInvalidID", bad, err)
		}
	}
}

func TestIDFromCertRefusesCRLSigningLeaf(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	svid := mtlstest.IssueWith(t, ca, webID, func(c *x509.Certificate) {
		c.KeyUsage |= x509.KeyUsageCRLSign
	})

	if _, err := mtls.IDFromCert(svid.Certificates[0]); !errors.Is(err, mtls.ErrInvalidSVID) {
		t.Fatalf("got %v, want ErrInvalidSVID", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, seed := range []string{
		"spiffe://example.org/web", "spiffe://example.org", "spiffe://example.org/%61",
		"SPIFFE://example.org/a", "spiffe://Example.org/a", "spiffe://a/b/c/d",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, s string) {
		id, err := mtls.ParseID(s)
		if err != nil {
			return
		}

		// An accepted ID is canonical: it prints as given, has a path, and
		// holds no character that could make it read as another ID.
		rest := strings.TrimPrefix(s, "spiffe://")
		td := id.TrustDomain().Name()
		switch {
		case id.String() != s, id.Path() == "", len(s) > mtls.MaxIDLength,
			strings.ContainsAny(rest, "%?#@:"), strings.ToLower(td) != td:
			t.Fatalf("ParseID accepted %q as %q", s, id)
		}
	})
}
