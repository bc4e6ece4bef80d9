package mtls

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
)

// NewTransport returns an http.Transport, a clone of
// http.DefaultTransport's settings, that dials servers over mutual TLS with
// ClientConfig: it presents the Source's SVID and accepts a server only
// when authz allows its SPIFFE ID, typically AuthorizeID with the one
// expected server. HTTP/2 is attempted, and connections and TLS sessions
// are reused.
func NewTransport(src Source, authz Authorizer, opts ...Option) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = ClientConfig(src, authz, opts...)
	t.ForceAttemptHTTP2 = true

	return t
}

// NewClient returns an http.Client that uses NewTransport.
func NewClient(src Source, authz Authorizer, opts ...Option) *http.Client {
	return &http.Client{Transport: NewTransport(src, authz, opts...)}
}

// NewListener wraps inner so that every accepted connection is a TLS
// server connection configured with ServerConfig. The handshake runs on
// the first read or write, or on an explicit Handshake call.
func NewListener(inner net.Listener, src Source, authz Authorizer, opts ...Option) net.Listener {
	return tls.NewListener(inner, ServerConfig(src, authz, opts...))
}

// Listen announces on the local network address and returns a listener
// like NewListener's.
func Listen(network, addr string, src Source, authz Authorizer, opts ...Option) (net.Listener, error) {
	inner, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("mtls: %w", err)
	}

	return NewListener(inner, src, authz, opts...), nil
}

// Dial connects to addr over mutual TLS with ClientConfig and completes the
// handshake before it returns, so that a refused server is an error here.
func Dial(ctx context.Context, network, addr string, src Source, authz Authorizer,
	opts ...Option,
) (*tls.Conn, error) {
	d := tls.Dialer{Config: ClientConfig(src, authz, opts...)}

	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("mtls: dial %s: %w", addr, err)
	}

	return conn.(*tls.Conn), nil
}
