package mtls

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt/mtls/devca"
)

// BenchmarkVerifyConnection measures the peer checks this package runs in
// VerifyConnection on every handshake, full or resumed: "first" for a
// chain never seen before (the verified-chain cache is emptied each time),
// "repeat" for the same SVID again, as on every connection of a client
// between two rotations and on every resumption.
func BenchmarkVerifyConnection(b *testing.B) {
	td := spiffeid.RequireTrustDomainFromString("example.org")
	id := spiffeid.RequireFromPath(td, "/web")

	for _, alg := range []devca.KeyAlgorithm{devca.ECDSAP256, devca.Ed25519} {
		ca, err := devca.New(devca.Config{TrustDomain: td, KeyAlgorithm: alg})
		if err != nil {
			b.Fatal(err)
		}
		svid, err := ca.Issue(id)
		if err != nil {
			b.Fatal(err)
		}
		cs := tls.ConnectionState{PeerCertificates: svid.Certificates}

		for _, repeat := range []bool{false, true} {
			name := string(alg) + "/first"
			if repeat {
				name = string(alg) + "/repeat"
			}

			b.Run(name, func(b *testing.B) {
				v := &verifier{bundles: ca, authorize: AuthorizeMemberOf(td), now: time.Now}
				b.ReportAllocs()

				for b.Loop() {
					if !repeat {
						v.pools.verified = verifiedCache{}
					}
					if err := v.verifyConnection(cs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
