package chain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

type rawLine struct {
	Hash string          `json:"hash"`
	Body json.RawMessage `json:"body"`
}

// rehash recomputes the hash of one line after its body was edited, as an
// attacker without the signing key can.
func rehash(t *testing.T, line string) string {
	t.Helper()

	var l rawLine
	if err := json.Unmarshal([]byte(strings.TrimSuffix(line, "\n")), &l); err != nil {
		t.Fatal(err)
	}

	sum := sha256.Sum256(l.Body)
	l.Hash = hex.EncodeToString(sum[:])

	out, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}

	return string(out) + "\n"
}

// rechain recomputes every hash and prev link of lines, leaving the
// checkpoint signatures as they were.
func rechain(t *testing.T, lines []string) []string {
	t.Helper()

	prev := ""
	for i, line := range lines {
		var l rawLine
		if err := json.Unmarshal([]byte(strings.TrimSuffix(line, "\n")), &l); err != nil {
			t.Fatal(err)
		}

		var body map[string]any
		if err := json.Unmarshal(l.Body, &body); err != nil {
			t.Fatal(err)
		}

		if prev != "" {
			body["prev"] = prev
			if cp, ok := body["checkpoint"].(map[string]any); ok {
				cp["head"] = prev
			}
		}

		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}

		l.Body = b
		lines[i] = rehash(t, mustJSON(t, l))
		prev = hashOf(t, lines[i])
	}

	return lines
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()

	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}

	return string(b)
}

func hashOf(t *testing.T, line string) string {
	t.Helper()

	var l rawLine
	if err := json.Unmarshal([]byte(strings.TrimSuffix(line, "\n")), &l); err != nil {
		t.Fatal(err)
	}

	return l.Hash
}

// forgeSignature flips a byte of a checkpoint line's signature.
func forgeSignature(line string) string {
	i := strings.Index(line, `"sig":"`) + len(`"sig":"`)
	c := byte('A')
	if line[i] == 'A' {
		c = 'B'
	}

	return line[:i] + string(c) + line[i+1:]
}
