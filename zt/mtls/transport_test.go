package mtls_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ztkit/ztkit/zt/mtls"
	"github.com/ztkit/ztkit/zt/mtls/mtlstest"
)

func TestListenAndDial(t *testing.T) {
	ca := mtlstest.NewCA(t, "example.org")
	backend := mtlstest.NewSource(t, ca, "/backend")
	web := mtlstest.NewSource(t, ca, "/web")

	ln, err := mtls.Listen("tcp", "127.0.0.1:0", backend, mtls.AuthorizeID(webID))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	peers := make(chan string, 2)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			tc := conn.(*tls.Conn)
			if err := tc.Handshake(); err == nil {
				cs := tc.ConnectionState()
				id, _ := mtls.PeerID(&cs)
				peers <- id.String()
				_, _ = tc.Write([]byte("k"))
			}
			tc.Close()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := mtls.Dial(ctx, "tcp", ln.Addr().String(), web, mtls.AuthorizeID(serverID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(conn, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	if got := <-peers; got != webID.String() {
		t.Fatalf("server saw %q, want %q", got, webID)
	}

	_, err = mtls.Dial(ctx, "tcp", ln.Addr().String(), web, mtls.AuthorizeID(webID))
	if !errors.Is(err, mtls.ErrNotAuthorized) {
		t.Fatalf("dial to the wrong server: %v, want ErrNotAuthorized", err)
	}
}
