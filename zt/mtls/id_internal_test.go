package mtls

import (
	"encoding/asn1"
	"testing"
)

func sanExtension(t testing.TB, uris ...string) []byte {
	t.Helper()

	var names []asn1.RawValue
	for _, u := range uris {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: uriTag, Bytes: []byte(u)})
	}
	names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("localhost")})

	der, err := asn1.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}

	return der
}

func TestParseURISANs(t *testing.T) {
	got, err := parseURISANs(sanExtension(t, "spiffe://example.org/a", "SPIFFE://x/%61"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "spiffe://example.org/a" || got[1] != "SPIFFE://x/%61" {
		t.Fatalf("got %q", got)
	}

	for _, bad := range [][]byte{nil, {0x30}, {0x31, 0x00}, {0x30, 0x02, 0x86}} {
		if _, err := parseURISANs(bad); err == nil {
			t.Errorf("parseURISANs(%x) accepted malformed input", bad)
		}
	}
}

func FuzzParseURISANs(f *testing.F) {
	f.Add(sanExtension(f, "spiffe://example.org/web"))
	f.Add(sanExtension(f, "spiffe://example.org/a", "spiffe://example.org/b"))
	f.Add([]byte{0x30, 0x00})

	f.Fuzz(func(t *testing.T, der []byte) {
		uris, err := parseURISANs(der)
		if err != nil && uris != nil {
			t.Fatalf("error %v with URIs %q", err, uris)
		}
	})
}
