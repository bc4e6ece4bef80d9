package chain

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// File names: "audit-000001.jsonl", "audit-000002.jsonl", ...
const (
	filePrefix = "audit-"
	fileSuffix = ".jsonl"
)

// FileName returns the name of the trail's file number n (from 1).
func FileName(n int) string {
	return fmt.Sprintf("%s%06d%s", filePrefix, n, fileSuffix)
}

// fileNumber returns n for a name made by FileName, or 0.
func fileNumber(name string) int {
	if !strings.HasPrefix(name, filePrefix) || !strings.HasSuffix(name, fileSuffix) {
		return 0
	}

	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, filePrefix), fileSuffix))
	if err != nil || n <= 0 {
		return 0
	}

	return n
}

// Files returns the paths of the trail's files in dir, in chain order.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("chain: %w", err)
	}

	var names []string
	for _, e := range entries {
		if !e.IsDir() && fileNumber(e.Name()) > 0 {
			names = append(names, e.Name())
		}
	}

	sort.Slice(names, func(i, j int) bool {
		return fileNumber(names[i]) < fileNumber(names[j])
	})

	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}

	return paths, nil
}

// rawLine is one line of a file, with its position.
type rawLine struct {
	no       int   // 1-based line number
	off, end int64 // byte range, end includes the newline
	text     []byte
	complete bool // ended with a newline
}

// splitLines cuts data into lines.
func splitLines(data []byte) []rawLine {
	var out []rawLine

	off := 0
	for off < len(data) {
		i := bytes.IndexByte(data[off:], '\n')
		l := rawLine{no: len(out) + 1, off: int64(off)}

		if i < 0 {
			l.text, l.end = data[off:], int64(len(data))
			out = append(out, l)
			break
		}

		l.text, l.end, l.complete = data[off:off+i], int64(off+i+1), true
		out = append(out, l)
		off += i + 1
	}

	return out
}
