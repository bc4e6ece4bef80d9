package chain

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Problem classifies what a TamperError found.
type Problem string

// The problems Verify reports.
const (
	// Modified: a record's content no longer matches its hash, or the hash
	// that the next record chains to.
	Modified Problem = "modified"

	// Deleted: records (or a whole file) are missing from the chain.
	Deleted Problem = "deleted"

	// Reordered: records appear out of sequence.
	Reordered Problem = "reordered"

	// Truncated: the trail ends before its closing checkpoint, mid-record,
	// or before a checkpoint known from elsewhere (the anchor).
	Truncated Problem = "truncated"

	// ForgedCheckpoint: a checkpoint's signature or contents are wrong.
	ForgedCheckpoint Problem = "forged_checkpoint"
)

// ErrTampered is matched (errors.Is) by every *TamperError.
var ErrTampered = errors.New("chain: trail tampered")

// TamperError reports the first problem found in a trail.
type TamperError struct {
	// Problem says what kind of tampering was found.
	Problem Problem

	// File and Line locate the record (Line is 1-based; 0 when the problem
	// is about a missing file or the end of the trail).
	File string
	Line int

	// Seq is the sequence number of the first record affected.
	Seq uint64

	// Detail explains the finding.
	Detail string
}

// Error describes the finding in one line.
func (e *TamperError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}

	return fmt.Sprintf("chain: record %d %s at %s: %s", e.Seq, e.Problem, loc, e.Detail)
}

// Is reports whether target is ErrTampered.
func (e *TamperError) Is(target error) bool {
	return target == ErrTampered
}

// Options configures Verify.
type Options struct {
	// Keys are the public keys that may have signed checkpoints. Required.
	Keys []ed25519.PublicKey

	// Anchor, when set, is a checkpoint kept outside the trail (for example
	// one published by Config.OnCheckpoint). Its signature is checked, the
	// trail must contain record Anchor.Seq with hash Anchor.Head, and a trail
	// that ends before it is truncated.
	Anchor *Checkpoint

	// AllowOpen accepts a trail whose writer is still running (or crashed
	// and has not restarted): the last file need not end with a closing
	// checkpoint. Records after the last checkpoint are then unsealed and
	// counted in Report.Unsealed; a truncation among them cannot be seen.
	AllowOpen bool
}

// Report summarizes a verified trail.
type Report struct {
	// Chain is the chain identifier.
	Chain string

	// Files are the files verified, in order.
	Files []string

	// Records counts all records; Events counts event records.
	Records, Events uint64

	// Checkpoints counts checkpoint records.
	Checkpoints int

	// Head is the hash of the last record, LastSeq its sequence number.
	Head    string
	LastSeq uint64

	// LastCheckpoint is the last checkpoint found, or nil.
	LastCheckpoint *Checkpoint

	// Unsealed counts records after the last checkpoint.
	Unsealed uint64

	// Closed is true when the trail ends with a closing checkpoint.
	Closed bool

	// Restarts counts restarts of the writer; Unclean counts the files
	// opened or continued after a crash.
	Restarts, Unclean int

	// Cuts lists the torn tails that were cut after crashes.
	Cuts []Cut
}

// Verify checks the trail in dir. It returns the report and nil when the
// trail is intact, or the report of what was verified so far and a
// *TamperError describing the first problem. Other errors (an unreadable
// file, no key) are returned as they are.
func Verify(dir string, opts Options) (*Report, error) {
	paths, err := Files(dir)
	if err != nil {
		return nil, err
	}

	return VerifyFiles(paths, opts)
}

// VerifyFiles checks a trail given as its files in chain order.
func VerifyFiles(paths []string, opts Options) (*Report, error) {
	if len(opts.Keys) == 0 {
		return nil, errors.New("chain: verify needs at least one public key")
	}

	if opts.Anchor != nil {
		if err := opts.Anchor.VerifySignature(opts.Keys); err != nil {
			return nil, fmt.Errorf("chain: anchor: %w", err)
		}
	}

	if len(paths) == 0 {
		return nil, errors.New("chain: no trail files")
	}

	v := &verifier{opts: opts, rep: &Report{}, prev: zeroHash}
	for i, p := range paths {
		if err := v.file(p, i == len(paths)-1); err != nil {
			return v.rep, err
		}
	}

	return v.rep, v.finish()
}

type verifier struct {
	opts Options
	rep  *Report

	name   string // base name of the file being verified
	seq    uint64 // the next expected sequence number
	prev   string // hash of the last record
	last   *Record
	anchor bool // the anchor's record was seen
}

func (v *verifier) fail(p Problem, l *rawLine, seq uint64, format string, args ...any) error {
	e := &TamperError{Problem: p, File: v.name, Seq: seq, Detail: fmt.Sprintf(format, args...)}
	if l != nil {
		e.Line = l.no
	}

	return e
}

// file verifies one file; lastFile says whether it ends the trail.
func (v *verifier) file(path string, lastFile bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	v.name = filepath.Base(path)
	v.rep.Files = append(v.rep.Files, path)

	lines := splitLines(data)
	if len(lines) == 0 {
		return v.fail(Truncated, nil, v.seq, "file is empty")
	}

	for i := range lines {
		if err := v.line(lines, i, lastFile); err != nil {
			return err
		}
	}

	return nil
}

func (v *verifier) line(lines []rawLine, i int, lastFile bool) error {
	l := &lines[i]
	if !l.complete {
		return v.fail(Truncated, l, v.seq, "torn record at the end of the file")
	}

	r, hash, err := decode(l.text)
	switch {
	case errors.Is(err, errHashMismatch):
		return v.fail(Modified, l, r.Seq, "content does not match its hash")
	case err != nil:
		return v.fail(Modified, l, v.seq, "%v", err)
	}

	if err := v.sequence(lines, i, r); err != nil {
		return err
	}

	if err := v.placement(l, r, i); err != nil {
		return err
	}

	if err := v.payload(l, r); err != nil {
		return err
	}

	v.accept(r, hash)

	return nil
}

// sequence checks that r is the next record of the chain.
func (v *verifier) sequence(lines []rawLine, i int, r *Record) error {
	l := &lines[i]

	switch {
	case r.Seq < v.seq:
		return v.fail(Reordered, l, r.Seq, "record %d appears after record %d", r.Seq, v.seq-1)
	case r.Seq > v.seq && laterHasSeq(lines[i+1:], v.seq):
		return v.fail(Reordered, l, v.seq, "record %d appears before record %d", r.Seq, v.seq)
	case r.Seq > v.seq:
		return v.fail(Deleted, l, v.seq, "records %d to %d are missing", v.seq, r.Seq-1)
	case r.Prev != v.prev && v.last != nil:
		return v.fail(Modified, l, r.Seq-1,
			"record %d was changed: record %d does not chain to it", r.Seq-1, r.Seq)
	case r.Prev != v.prev:
		return v.fail(Modified, l, r.Seq, "first record does not start a chain")
	}

	return nil
}

func laterHasSeq(lines []rawLine, seq uint64) bool {
	for _, l := range lines {
		if r, _, err := decode(l.text); r != nil && err == nil && r.Seq == seq {
			return true
		}
	}

	return false
}

// placement checks where open records and closing checkpoints may stand.
func (v *verifier) placement(l *rawLine, r *Record, i int) error {
	closed := v.last != nil && v.last.Type == TypeCheckpoint && v.last.Checkpoint.Final

	switch {
	case i == 0 && r.Type != TypeOpen:
		return v.fail(Modified, l, r.Seq, "file does not start with an open record")
	case i == 0 && r.Open.File != v.name:
		return v.fail(Modified, l, r.Seq, "open record names file %q", r.Open.File)
	case i == 0 && v.last == nil && r.Open.Reason != "start":
		return v.fail(Deleted, l, r.Seq, "the trail's first file is missing")
	case i == 0 && v.last != nil && (!closed || v.last.Checkpoint.Next != v.name):
		return v.fail(Deleted, l, r.Seq, "file does not follow the previous one")
	case i > 0 && r.Type == TypeOpen && r.Open.Reason != "restart":
		return v.fail(Modified, l, r.Seq, "open record %q inside a file", r.Open.Reason)
	case i > 0 && closed && v.last.Checkpoint.Next != "":
		return v.fail(Modified, l, r.Seq, "record after the file's closing checkpoint")
	case i > 0 && closed && r.Type != TypeOpen:
		return v.fail(Modified, l, r.Seq, "record after a closing checkpoint is not a restart")
	}

	return nil
}

// payload checks the contents of checkpoint and open records.
func (v *verifier) payload(l *rawLine, r *Record) error {
	switch r.Type {
	case TypeOpen:
		if v.rep.Chain != "" && r.Open.Chain != v.rep.Chain {
			return v.fail(Modified, l, r.Seq, "open record names another chain")
		}
	case TypeCheckpoint:
		c := r.Checkpoint
		if c.Chain != v.rep.Chain || c.Seq+1 != r.Seq || c.Head != v.prev {
			return v.fail(ForgedCheckpoint, l, r.Seq,
				"checkpoint does not describe the chain before it")
		}

		if err := c.VerifySignature(v.opts.Keys); err != nil {
			return v.fail(ForgedCheckpoint, l, r.Seq, "%v", err)
		}
	}

	return nil
}

// accept advances the verifier past r.
func (v *verifier) accept(r *Record, hash string) {
	if a := v.opts.Anchor; a != nil && a.Seq == r.Seq {
		v.anchor = a.Head == hash
	}

	rep := v.rep
	rep.Records++
	rep.Unsealed++

	switch r.Type {
	case TypeEvent:
		rep.Events++
	case TypeCheckpoint:
		rep.Checkpoints++
		rep.LastCheckpoint = r.Checkpoint
		rep.Unsealed = 0
	case TypeOpen:
		rep.Chain = r.Open.Chain
		if r.Open.Reason == "restart" {
			rep.Restarts++
		}

		if !r.Open.Clean {
			rep.Unclean++
		}
	case TypeCut:
		rep.Cuts = append(rep.Cuts, *r.Cut)
	}

	rep.Head, rep.LastSeq = hash, r.Seq
	v.prev, v.seq, v.last = hash, r.Seq+1, r
}

// finish checks the end of the trail.
func (v *verifier) finish() error {
	last := v.last
	v.rep.Closed = last.Type == TypeCheckpoint && last.Checkpoint.Final

	if v.rep.Closed && last.Checkpoint.Next != "" {
		return v.fail(Truncated, nil, v.seq, "file %s is missing", last.Checkpoint.Next)
	}

	if a := v.opts.Anchor; a != nil {
		if a.Chain != v.rep.Chain {
			return fmt.Errorf("chain: anchor belongs to another chain")
		}

		if a.Seq >= v.seq {
			return v.fail(Truncated, nil, v.seq,
				"trail ends at record %d, before the anchor at record %d", v.seq-1, a.Seq)
		}

		if !v.anchor {
			return v.fail(Modified, nil, a.Seq, "record does not match the anchor")
		}
	}

	if !v.rep.Closed && !v.opts.AllowOpen {
		return v.fail(Truncated, nil, v.seq,
			"trail ends at record %d without a closing checkpoint", v.seq-1)
	}

	return nil
}
