package mtls

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/zt"
)

// PeerID returns the SPIFFE ID of the peer of a TLS connection, read from
// its leaf certificate with the strict checks of IDFromCert. It does not
// verify the chain: it trusts that the connection was verified during the
// handshake, as every configuration of this package does. A connection
// without a peer certificate gives an error matching ErrNoPeerCertificate.
func PeerID(cs *tls.ConnectionState) (spiffeid.ID, error) {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return spiffeid.ID{}, refuse(ReasonNoCertificate, ErrNoPeerCertificate, "no TLS peer")
	}

	id, err := IDFromCert(cs.PeerCertificates[0])
	if err != nil {
		return spiffeid.ID{}, zt.NewError(zt.ErrUnauthenticated, "", ReasonInvalidSVID, err)
	}

	return id, nil
}

// PeerWorkload returns the workload facet of a Principal for the peer of a
// TLS connection; see PeerID.
func PeerWorkload(cs *tls.ConnectionState) (*zt.Workload, error) {
	id, err := PeerID(cs)
	if err != nil {
		return nil, err
	}

	return workloadOf(id), nil
}

// RequestWorkload returns the workload that sent r over mutual TLS; see
// PeerID. A request that did not arrive over TLS gives an error matching
// ErrNoPeerCertificate.
func RequestWorkload(r *http.Request) (*zt.Workload, error) {
	return PeerWorkload(r.TLS)
}

// CheckRequest returns the workload that sent r after asking rc whether it
// is quarantined. It is the per-request half of the quarantine: a
// connection established before its workload was quarantined is refused on
// its next request. Errors are *zt.Error values of kind
// zt.ErrUnauthenticated, zt.ErrRevoked (matching ErrQuarantined as well) or
// zt.ErrUnavailable when rc fails.
func CheckRequest(ctx context.Context, r *http.Request, rc zt.RevocationChecker) (*zt.Workload, error) {
	id, err := PeerID(r.TLS)
	if err != nil {
		return nil, err
	}

	if err := checkQuarantine(ctx, rc, id); err != nil {
		return nil, err
	}

	return workloadOf(id), nil
}

// Quarantine returns middleware that refuses every request whose mTLS peer
// rc reports as revoked, with 401 and an RFC 9457 problem document, and
// closes that connection; it refuses a request without a peer certificate
// the same way, and answers 503 when rc fails. Put it in front of handlers
// served with ServerConfig and WithQuarantine, so that a quarantine takes
// effect on live connections as well as on new handshakes.
func Quarantine(rc zt.RevocationChecker) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := CheckRequest(r.Context(), r, rc); err != nil {
				writeRefusal(w, err)
				return
			}

			next.ServeHTTP(w, r)
		})
	}
}

func writeRefusal(w http.ResponseWriter, err error) {
	status := http.StatusUnauthorized
	if errors.Is(err, zt.ErrUnavailable) {
		status = http.StatusServiceUnavailable
	}

	// The connection carries a refused identity: do not reuse it.
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)

	_, _ = fmt.Fprintf(w, `{"type":"about:blank","title":%q,"status":%d}`+"\n",
		http.StatusText(status), status)
}
