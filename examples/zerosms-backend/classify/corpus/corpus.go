// Package corpus embeds the data the spam classifier is trained and evaluated
// on: the SMS Spam Collection v.1 (Almeida, Gómez Hidalgo and Yamakami, 2011;
// CC BY 4.0; see README.md beside this file for the attribution and the
// provenance of this copy), and a set of Indian bank SMS made from templates
// for this project (bank-sms.tsv, written by gen/bank_sms.py), which teaches
// the classifier that bank alerts are not spam and bank phishing is.
package corpus

import (
	"bufio"
	"crypto/sha256"
	_ "embed" // the corpus is embedded
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

//go:embed SMSSpamCollection
var raw string

//go:embed bank-sms.tsv
var bankRaw string

// Name identifies the collection in a model's training metadata, and BankName
// the bank SMS set.
const (
	Name     = "SMS Spam Collection v.1"
	BankName = "ztkit template bank SMS v1"
)

// Message is one labelled message of the corpus.
type Message struct {
	// Text is the message as sent.
	Text string

	// Spam is true for spam and false for ham.
	Spam bool
}

// ErrMalformed is returned for a line that is not "ham|spam<TAB>text".
var ErrMalformed = errors.New("corpus: malformed line")

// SHA256 returns the hex SHA-256 digest of the embedded collection.
func SHA256() string { return digest(raw) }

// BankSHA256 returns the hex SHA-256 digest of the embedded bank SMS set.
func BankSHA256() string { return digest(bankRaw) }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))

	return hex.EncodeToString(sum[:])
}

// Load returns the messages of the embedded collection in file order, skipping
// the header line that this copy carries.
func Load() ([]Message, error) {
	return Parse(raw)
}

// LoadBank returns the template-made bank SMS in file order.
func LoadBank() ([]Message, error) {
	return Parse(bankRaw)
}

// Parse reads a corpus in the collection's format: one "label<TAB>text" a line,
// label "ham" or "spam", with an optional "Label<TAB>SMS" header.
func Parse(s string) ([]Message, error) {
	var msgs []Message

	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)

	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || (n == 1 && strings.HasPrefix(line, "Label\t")) {
			continue
		}

		label, text, ok := strings.Cut(line, "\t")
		if !ok || (label != "ham" && label != "spam") {
			return nil, fmt.Errorf("%w %d", ErrMalformed, n)
		}

		msgs = append(msgs, Message{Text: text, Spam: label == "spam"})
	}

	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}

	return msgs, nil
}
