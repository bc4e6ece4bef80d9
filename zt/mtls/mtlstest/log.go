package mtlstest

import (
	"io"
	"log"
)

// quietLog discards the TLS handshake errors that http.Server logs: tests
// provoke them on purpose and check them on the other side.
func quietLog() *log.Logger {
	return log.New(io.Discard, "", 0)
}
