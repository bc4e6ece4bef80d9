package chain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// ErrUnrecoverable is returned by Open when the end of the trail is damaged
// in a way a crash cannot explain (valid records after an invalid one);
// cutting it would destroy evidence, so the trail must be verified and
// repaired by a person.
var ErrUnrecoverable = errors.New("chain: trail damaged beyond a torn tail")

// scan is the valid prefix of one file.
type scan struct {
	st  state
	end int64 // end of the last valid record
	ok  bool  // at least one valid record
}

// scanFile reads the records of data while they are whole, intact and
// chained to each other.
func scanFile(data []byte) scan {
	var s scan

	for _, l := range splitLines(data) {
		if !l.complete {
			break
		}

		r, hash, err := decode(l.text)
		if err != nil {
			break
		}

		if s.ok && (r.Seq != s.st.seq || r.Prev != s.st.head) {
			break
		}

		if !s.ok && r.Type != TypeOpen {
			break
		}

		if r.Type == TypeOpen && !s.ok {
			s.st.chain = r.Open.Chain
		}

		s.st.seq, s.st.head, s.st.last, s.end, s.ok = r.Seq+1, hash, r, l.end, true
	}

	return s
}

// checkTail refuses a tail that holds an intact record: a crash tears the
// end of the last write, it does not leave valid records behind garbage.
func checkTail(path string, tail []byte) error {
	for _, l := range splitLines(tail) {
		if _, _, err := decode(l.text); l.complete && err == nil {
			return fmt.Errorf("%w: %s has intact records after line %d is broken",
				ErrUnrecoverable, filepath.Base(path), l.no)
		}
	}

	return nil
}

// start creates the trail or recovers the last file and prepares to append.
func (w *Writer) start(_ context.Context) error {
	paths, err := Files(w.cfg.Dir)
	if err != nil {
		return err
	}

	if len(paths) == 0 {
		w.st.chain, w.st.head = newChainID(), zeroHash
		w.recovery.Created = true

		return w.createFile(1, "start", true)
	}

	path := paths[len(paths)-1]

	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	s := scanFile(data)
	if err := checkTail(path, data[s.end:]); err != nil {
		return err
	}

	if !s.ok {
		return w.restartEmpty(paths, data)
	}

	return w.restart(path, data, s)
}

// restart continues the last file after its valid prefix.
func (w *Writer) restart(path string, data []byte, s scan) error {
	w.st = s.st
	w.st.fileNo = fileNumber(filepath.Base(path))

	closed := s.st.last.Type == TypeCheckpoint && s.st.last.Checkpoint.Final
	w.recovery.Unclean = !closed

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.file, w.size = f, int64(len(data))

	cut, err := w.cutTail(path, data, s.end)
	if err != nil {
		return err
	}

	if closed && s.st.last.Checkpoint.Next != "" {
		return w.finishRotation(cut)
	}

	open := &Opening{Chain: w.st.chain, File: filepath.Base(path), Reason: "restart", Clean: closed}
	buf := w.next(&Record{Type: TypeOpen, Open: open})

	if cut != nil {
		buf = append(buf, w.next(&Record{Type: TypeCut, Cut: cut})...)
	}

	buf = append(buf, w.checkpointLine(false, "")...)

	if err := w.writeSync(buf); err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.afterSeal()

	return nil
}

// finishRotation creates the file that the last file's closing checkpoint
// names: the previous writer crashed before it could.
func (w *Writer) finishRotation(cut *Cut) error {
	if err := w.file.Close(); err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.recovery.Unclean = true
	if err := w.createFile(w.st.fileNo+1, "rotate", false); err != nil {
		return err
	}

	if cut == nil {
		return nil
	}

	return w.appendCut(cut)
}

// restartEmpty handles a last file without a single valid record: a crash
// while a file was being created. The chain continues from the previous
// file; a lone file starts a new chain.
func (w *Writer) restartEmpty(paths []string, data []byte) error {
	path := paths[len(paths)-1]
	n := fileNumber(filepath.Base(path))
	reason := "start"

	if len(paths) > 1 {
		prev, err := os.ReadFile(paths[len(paths)-2])
		if err != nil {
			return fmt.Errorf("chain: %w", err)
		}

		s := scanFile(prev)
		last := s.st.last
		if !s.ok || s.end != int64(len(prev)) || last.Type != TypeCheckpoint ||
			last.Checkpoint.Next != filepath.Base(path) {
			return fmt.Errorf("%w: %s does not end by rotating to %s",
				ErrUnrecoverable, filepath.Base(paths[len(paths)-2]), filepath.Base(path))
		}

		w.st, reason = s.st, "rotate"
	} else {
		w.st.chain, w.st.head = newChainID(), zeroHash
	}

	cut, err := w.saveCut(path, data, 0)
	if err != nil {
		return err
	}

	if err := os.Remove(path); err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.recovery.Unclean = true
	if err := w.createFile(n, reason, false); err != nil {
		return err
	}

	return w.appendCut(cut)
}

func (w *Writer) appendCut(cut *Cut) error {
	buf := w.next(&Record{Type: TypeCut, Cut: cut})
	buf = append(buf, w.checkpointLine(false, "")...)

	if err := w.writeSync(buf); err != nil {
		return fmt.Errorf("chain: %w", err)
	}

	w.afterSeal()

	return nil
}

// cutTail removes data[end:] from the open file, keeping it aside.
func (w *Writer) cutTail(path string, data []byte, end int64) (*Cut, error) {
	if end == int64(len(data)) {
		return nil, nil
	}

	cut, err := w.saveCut(path, data, end)
	if err != nil {
		return nil, err
	}

	if err := w.file.Truncate(end); err != nil {
		return nil, fmt.Errorf("chain: cut %s: %w", filepath.Base(path), err)
	}

	if err := w.file.Sync(); err != nil {
		return nil, fmt.Errorf("chain: cut %s: %w", filepath.Base(path), err)
	}

	w.size = end

	return cut, nil
}

// saveCut writes data[end:] to a ".cut-<offset>" file beside path and
// returns the record of the cut.
func (w *Writer) saveCut(path string, data []byte, end int64) (*Cut, error) {
	tail := data[end:]
	sum := sha256.Sum256(tail)
	saved := fmt.Sprintf("%s.cut-%d-%d", filepath.Base(path), end, w.cfg.Now().UnixNano())

	f, err := os.OpenFile(filepath.Join(w.cfg.Dir, saved),
		os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("chain: keep cut tail: %w", err)
	}

	_, err = f.Write(tail)
	err = errors.Join(err, f.Sync(), f.Close())
	if err != nil {
		return nil, fmt.Errorf("chain: keep cut tail: %w", err)
	}

	cut := &Cut{
		File: filepath.Base(path), Offset: end, Bytes: int64(len(tail)),
		SHA256: hex.EncodeToString(sum[:]), Saved: saved,
	}
	w.recovery.Cut = cut
	w.log("chain: cut a torn tail", nil,
		slog.String("file", cut.File), slog.Int64("offset", end), slog.Int64("bytes", cut.Bytes))

	return cut, nil
}
