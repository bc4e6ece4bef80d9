package chain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ztkit/ztkit/zt/audit"
)

// Record types.
const (
	// TypeOpen starts a file: the first file of a chain, a file after
	// rotation, or a restart of the writer on the same file.
	TypeOpen = "open"

	// TypeEvent carries one audit event.
	TypeEvent = "event"

	// TypeCheckpoint carries a signed checkpoint over the chain so far.
	TypeCheckpoint = "checkpoint"

	// TypeCut records that a torn tail was cut off after a crash.
	TypeCut = "cut"
)

// zeroHash is the "prev" of the first record of a chain.
var zeroHash = hex.EncodeToString(make([]byte, sha256.Size))

// Record is the body of one line of the trail. Its hash is the SHA-256 of the
// body's JSON bytes exactly as written.
type Record struct {
	// Seq numbers the records of the chain from 0, across files.
	Seq uint64 `json:"seq"`

	// Prev is the hex hash of the record before, or 64 zeros for the first.
	Prev string `json:"prev"`

	// Type is one of the Type* constants.
	Type string `json:"type"`

	// Time is when the writer wrote the record.
	Time time.Time `json:"time"`

	// Event is set for TypeEvent.
	Event *audit.Event `json:"event,omitempty"`

	// Checkpoint is set for TypeCheckpoint.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`

	// Open is set for TypeOpen.
	Open *Opening `json:"open,omitempty"`

	// Cut is set for TypeCut.
	Cut *Cut `json:"cut,omitempty"`
}

// line is one line of a trail file.
type line struct {
	Hash string          `json:"hash"`
	Body json.RawMessage `json:"body"`
}

// Opening describes why a file was opened.
type Opening struct {
	// Chain identifies the chain; it is chosen at random when the chain
	// starts and never changes.
	Chain string `json:"chain"`

	// File is the name of the file this record opens.
	File string `json:"file"`

	// Reason is "start", "rotate" or "restart".
	Reason string `json:"reason"`

	// Clean is false for a restart after the writer stopped without a
	// closing checkpoint (a crash).
	Clean bool `json:"clean"`
}

// Cut records bytes removed from the end of a file after a crash.
type Cut struct {
	// File is the file that was cut.
	File string `json:"file"`

	// Offset is where the file was cut: the end of the last valid record.
	Offset int64 `json:"offset"`

	// Bytes is how many bytes were removed.
	Bytes int64 `json:"bytes"`

	// SHA256 is the hex hash of the removed bytes, which are kept in the
	// file named Saved.
	SHA256 string `json:"sha256"`

	// Saved is the name of the file holding the removed bytes.
	Saved string `json:"saved"`
}

// Checkpoint seals the chain up to and including record Seq, whose hash is
// Head, with an Ed25519 signature.
type Checkpoint struct {
	// Chain identifies the chain.
	Chain string `json:"chain"`

	// Seq is the sequence number of the last record covered.
	Seq uint64 `json:"seq"`

	// Head is the hex hash of record Seq.
	Head string `json:"head"`

	// Final is true for the checkpoint that closes a file (at Close or
	// rotation); no record may follow it in that file.
	Final bool `json:"final,omitempty"`

	// Next names the file that continues the chain after a rotation.
	Next string `json:"next,omitempty"`

	// KeyID is the hex of the first 8 bytes of SHA-256 of the public key.
	KeyID string `json:"key_id"`

	// Signature is the Ed25519 signature of SignedMessage().
	Signature []byte `json:"sig"`
}

// checkpointDomain separates checkpoint signatures from any other use of the
// key.
const checkpointDomain = "ztkit.audit.checkpoint.v1\x00"

// SignedMessage returns the bytes that Signature signs: a domain string, the
// chain ID, Seq, Head, Final and Next, each length-prefixed or fixed-size.
func (c *Checkpoint) SignedMessage() []byte {
	var b bytes.Buffer
	b.WriteString(checkpointDomain)
	writeField(&b, c.Chain)
	_ = binary.Write(&b, binary.BigEndian, c.Seq)
	writeField(&b, c.Head)

	if c.Final {
		b.WriteByte(1)
	} else {
		b.WriteByte(0)
	}

	writeField(&b, c.Next)

	return b.Bytes()
}

func writeField(b *bytes.Buffer, s string) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(s)))
	b.WriteString(s)
}

// KeyID returns the key identifier of pub used in checkpoints.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)

	return hex.EncodeToString(sum[:8])
}

// sign fills c's KeyID and Signature.
func (c *Checkpoint) sign(key ed25519.PrivateKey) {
	c.KeyID = KeyID(key.Public().(ed25519.PublicKey))
	c.Signature = ed25519.Sign(key, c.SignedMessage())
}

// ErrBadSignature means a checkpoint's signature does not verify with any of
// the given keys.
var ErrBadSignature = errors.New("chain: checkpoint signature invalid")

// VerifySignature checks c's signature against keys, choosing by KeyID.
func (c *Checkpoint) VerifySignature(keys []ed25519.PublicKey) error {
	for _, k := range keys {
		if KeyID(k) == c.KeyID && ed25519.Verify(k, c.SignedMessage(), c.Signature) {
			return nil
		}
	}

	return fmt.Errorf("%w (key %s, seq %d)", ErrBadSignature, c.KeyID, c.Seq)
}

// encode returns the line for r and r's hash.
func encode(r *Record) ([]byte, string, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, "", fmt.Errorf("chain: encode record %d: %w", r.Seq, err)
	}

	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])

	out := make([]byte, 0, len(body)+96)
	out = append(out, `{"hash":"`...)
	out = append(out, hash...)
	out = append(out, `","body":`...)
	out = append(out, body...)
	out = append(out, "}\n"...)

	return out, hash, nil
}

// errMalformed marks a line that is not a well-formed record.
var errMalformed = errors.New("malformed record")

// decode parses one line (without its newline) and checks its hash. It
// returns the record and the stated hash; a hash mismatch is errHashMismatch.
func decode(b []byte) (*Record, string, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, "", fmt.Errorf("%w: %w", errMalformed, err)
	}

	if len(l.Hash) != 2*sha256.Size || len(l.Body) == 0 {
		return nil, "", fmt.Errorf("%w: missing hash or body", errMalformed)
	}

	var r Record
	if err := json.Unmarshal(l.Body, &r); err != nil {
		return nil, "", fmt.Errorf("%w: body: %w", errMalformed, err)
	}

	if err := r.validate(); err != nil {
		return nil, "", err
	}

	sum := sha256.Sum256(l.Body)
	if hex.EncodeToString(sum[:]) != l.Hash {
		return &r, l.Hash, errHashMismatch
	}

	return &r, l.Hash, nil
}

var errHashMismatch = errors.New("record hash does not match its body")

func (r *Record) validate() error {
	ok := false
	switch r.Type {
	case TypeEvent:
		ok = r.Event != nil
	case TypeCheckpoint:
		ok = r.Checkpoint != nil
	case TypeOpen:
		ok = r.Open != nil
	case TypeCut:
		ok = r.Cut != nil
	}

	if !ok {
		return fmt.Errorf("%w: type %q without its payload", errMalformed, r.Type)
	}

	return nil
}
