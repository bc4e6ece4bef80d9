package detect

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// eventID returns a fresh random ID for an audit event.
func eventID() string {
	return rand.Text()
}

// Fingerprint returns a stable alert ID made of parts, for detectors whose
// repeated deliveries of one detection must be recognised as one.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}

	return hex.EncodeToString(h.Sum(nil)[:16])
}
