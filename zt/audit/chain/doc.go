// Package chain writes and verifies a tamper-evident audit trail: a sequence
// of files of JSON lines in which every record carries the SHA-256 hash of the
// record before it, and signed checkpoints (Ed25519) seal the chain every N
// records or T seconds.
//
// A [Writer] acknowledges an event only once it is durable: appends are group
// committed (many records, one write and one fsync). On open it checks the tail
// of the trail; a torn tail left by a crash is cut off, kept aside in a
// ".cut-<offset>" file, and the cut itself is recorded in the chain. Files
// rotate by size, and the chain continues across them.
//
// [Verify] walks a trail with the public key and reports the first record
// that was modified, deleted, reordered or truncated, or a checkpoint that was
// forged, as a [*TamperError].
//
// The record and checkpoint formats are described in docs/audit.md.
package chain
