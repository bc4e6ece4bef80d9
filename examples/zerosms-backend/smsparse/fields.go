package smsparse

import (
	"regexp"
	"strings"
)

// Masked accounts and cards: "A/c XX4821", "A/C *7306", "AC X3807",
// "Acct XX518", "Account XXXXXXXX5203", "Card no. XX2684", "card XX**8025",
// "credit card ending with 6391", "Debit Card 2716", "A/c no. XX7152".
var accountRe = anchored{
	keys: []string{"a/c", "ac", "acc", "card"},
	re: regexp.MustCompile(
		`^(a/c|account|acct|acc|ac|card)\b[\s:.-]*` +
			`(?:(?:no|number|ending|with|in)\b[\s:.-]*){0,3}([x*#.]*)(\d{3,6})\b`),
}

// References: "UPI Ref No 604218375519", "RRN 771530428816", "UTR Ref.
// HDFCH00000000000", "reference number IN12603221231681", "Txn ID ...".
var refRe = anchored{
	keys: []string{"upi", "imps", "neft", "rtgs", "utr", "ref", "rrn", "txn", "transaction"},
	re: regexp.MustCompile(
		`^(?:(?:upi|imps|neft|rtgs|utr)\s*)?` +
			`(?:ref(?:erence)?|rrn|utr|txn\s*id|transaction\s*id)\b\.?` +
			`(?:\s*(?:no|number|num|id)\b\.?)?\s*[:#.\-]?\s*([a-z0-9]{6,24})\b`),
}

// Channel-tagged references: "UPI:418830267154", "IMPS:ABCDEF123456",
// "UPI-638903921672-CORN".
var chanRefRe = anchored{
	keys: []string{"upi", "imps", "neft", "rtgs"},
	re:   regexp.MustCompile(`^(?:upi|imps|neft|rtgs)\s*[:\-/]\s*([a-z0-9]{6,24})\b`),
}

// emailTLD follows the handle of an e-mail address, never that of a VPA.
var emailTLD = regexp.MustCompile(`^\.(?:com|in|org|net|co|io|gov|edu|info|biz)\b`)

// counterpartyRes name the other side of a transaction, tried in order on the
// lower-cased text.
var counterpartyRes = []anchored{
	{
		keys: []string{"neft", "imps", "rtgs"},
		re:   regexp.MustCompile(`^(?:neft|imps|rtgs)\s*cr-[a-z0-9]+-([^-]{2,60})-`),
	},
	{
		keys: []string{"upi-"},
		re:   regexp.MustCompile(`^upi-\d{6,24}-([\w &.'-]{2,40}?)(?:\.\s|\.$|\s+avl\b|$)`),
	},
	{keys: []string{"sent by "}, re: regexp.MustCompile(`^sent by ([\w .&'-]{2,60}?) on\b`)},
	{
		keys: []string{"from beneficiary "},
		re:   regexp.MustCompile(`^from beneficiary ([\w .&'-]{2,60}?)(?:\.|,| on\b|$)`),
	},
	{
		keys: []string{"towards "},
		re:   regexp.MustCompile(`^towards ([\w .&'-]{2,60}?) (?:for|on|via|ref|rrn)\b`),
	},
	{keys: []string{";"}, re: regexp.MustCompile(`^;\s*([\w .&'-]{2,60}?) credited\b`)},
	{
		keys:  []string{"spent", "done", "used", "paid", "txn", "transaction", "purchase"},
		needs: []string{" at "},
		re: regexp.MustCompile(`^(?:spent|done|used|paid|txn|transaction|purchase)\b.{0,80}?\bat ` +
			`([\w&'*-][\w .&'*-]{1,40}?)(?: on\b| avl\b|\.\s|\.$|,|$)`),
	},
	{keys: []string{"for "}, re: regexp.MustCompile(`^for ([a-z][\w &'-]{1,40}?) via\b`)},
	{
		keys: []string{"to "},
		re:   regexp.MustCompile(`^to ([a-z][\w .&'-]{1,60}?) (?:on|via|ref|from)\b`),
	},
	{
		keys:  []string{"on "},
		needs: []string{"avl", "available"},
		re:    regexp.MustCompile(`^on ([\w][^.;\n]{1,60}?)\s*\.\s*(?:avl|available)\b`),
	},
}

// notAName rejects phrases that the counterparty patterns catch but that name
// nobody: "the beneficiary account", "your account".
var notAName = regexp.MustCompile(`^(?:the|your|you|my|a|an|this|our)\b|^(?:a/c|ac|acct|account)\b`)

// corporateSuffix is stripped from a counterparty's name.
var corporateSuffix = regexp.MustCompile(
	`(?i)\s+(?:pvt\.?|private)?\s*(?:ltd\.?|limited)\s*$|\s+pvt\.?\s*$`)

// balanceWords label an amount by the words just before it.
var balanceWords = []string{"bal", "balance"}

// account finds the first masked account or card in the lower-cased text and,
// for a transfer between own accounts, the second one.
func account(m *message) (first, firstKind, second string) {
	lower := m.lower
	ms := accountRe.find(m, 2)
	if len(ms) == 0 {
		return "", "", ""
	}

	first, firstKind = lower[ms[0][6]:ms[0][7]], lower[ms[0][2]:ms[0][3]]
	if len(ms) > 1 {
		second = lower[ms[1][6]:ms[1][7]]
	}

	return first, firstKind, second
}

// reference returns the first reference that holds a digit, as the text
// wrote it.
func reference(text string, m *message) string {
	for _, re := range []anchored{refRe, chanRefRe} {
		for _, idx := range re.find(m, 4) {
			ref := text[idx[2]:idx[3]]
			if strings.ContainsAny(ref, "0123456789") {
				return ref
			}
		}
	}

	return ""
}

// vpa returns the first UPI address in s: a local part of letters, digits,
// dots, dashes and underscores, an "@", and a handle of letters and digits
// that starts with a letter. An address whose handle goes on with a top-level
// domain is an e-mail address instead.
func vpa(s string) string {
	for off := 0; off < len(s); {
		at := strings.IndexByte(s[off:], '@')
		if at < 0 {
			return ""
		}

		at += off
		off = at + 1

		start := at
		for start > 0 && start > at-256 && isVPALocal(s[start-1]) {
			start--
		}

		for start < at && !isAlnum(s[start]) {
			start++
		}

		end := at + 1
		for end < len(s) && isAlnum(s[end]) && end-at <= 64 {
			end++
		}

		if start == at || end-at < 3 || !isLetter(s[at+1]) {
			continue
		}

		if emailTLD.MatchString(asciiLower(s[end:min(len(s), end+6)])) {
			continue
		}

		return s[start:end]
	}

	return ""
}

func isVPALocal(c byte) bool { return isAlnum(c) || c == '.' || c == '-' || c == '_' }

// counterparty names the merchant, payer or payee, as the text wrote it.
func counterparty(text string, m *message) string {
	lower := m.lower

	for _, c := range counterpartyRes {
		ms := c.find(m, 1)
		if ms == nil {
			continue
		}

		idx := ms[0]
		name := text[idx[2]:idx[3]]
		if i := strings.LastIndex(lower[idx[2]:idx[3]], " on "); i >= 0 {
			name = name[i+len(" on "):]
		}

		name = strings.TrimSpace(corporateSuffix.ReplaceAllString(strings.TrimSpace(name), ""))
		if name != "" && !strings.ContainsRune(name, '@') && !notAName.MatchString(name) {
			return name
		}
	}

	return lineCounterparty(text)
}

// lineCounterparty reads the merchant of an alert laid out one field a line
// (amount, card, date, merchant, limit): the first line of letters after the
// line with the date.
func lineCounterparty(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) < 3 {
		return ""
	}

	seenDate := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if _, ok := findDate(l, asciiLower(l), IST); ok {
			seenDate = true

			continue
		}

		if seenDate && l != "" && !strings.ContainsAny(l, "0123456789:?") {
			return l
		}
	}

	return ""
}

// channelWords map words to channels, first match wins.
var channelWords = []struct {
	channel Channel
	words   []string
}{
	{ChannelIMPS, []string{"imps"}},
	{ChannelNEFT, []string{"neft"}},
	{ChannelRTGS, []string{"rtgs"}},
	{ChannelUPI, []string{"upi", "vpa"}},
	{ChannelATM, []string{"atm", "cash wdl", "cash withdrawal", "withdrawn at"}},
	{ChannelAutoPay, []string{"autopay", "auto pay"}},
	{
		ChannelMandate,
		[]string{"e-mandate", "emandate", "mandate", "nach", "ecs", "standing instruction"},
	},
}

// chequeRe and nfsRe find the channels that words alone do not.
var (
	chequeRe = regexp.MustCompile(`\b(?:cheque|chq)\b.{0,20}\b(?:cleared|debited|credited|paid)\b`)
	nfsRe    = regexp.MustCompile(`\bnfs`)
)

// channel returns the payment rail named in the lower-cased text.
func channel(m *message, vpa string, instrument Instrument) Channel {
	lower := m.lower

	for _, r := range channelWords {
		if m.hasWord(r.words...) {
			return r.channel
		}

		if r.channel == ChannelATM && strings.Contains(lower, "nfs") && nfsRe.MatchString(lower) {
			return ChannelATM
		}
	}

	switch {
	case m.containsAny([]string{"cheque", "chq"}) && chequeRe.MatchString(lower):
		return ChannelCheque
	case m.hasWord("netbanking", "net banking", "internet banking"):
		return ChannelNetBanking
	case vpa != "":
		return ChannelUPI
	case instrument == InstrumentCreditCard || instrument == InstrumentDebitCard ||
		instrument == InstrumentCard:
		return ChannelCard
	}

	return ""
}

// instrument tells what the account is from the words around it.
func instrument(m *message, kind string) Instrument {
	lower := m.lower

	switch {
	case strings.Contains(lower, "credit card"):
		return InstrumentCreditCard
	case strings.Contains(lower, "debit card"):
		return InstrumentDebitCard
	case kind == "card" && m.hasWord("limit"):
		return InstrumentCreditCard
	case kind == "card":
		return InstrumentCard
	case kind != "":
		return InstrumentAccount
	}

	return ""
}

// category tags a transaction with what it is for, when the text says.
func category(m *message, t Type, ch Channel) string {
	lower := m.lower

	switch {
	case ch == ChannelATM:
		return "cash_withdrawal"
	case strings.Contains(lower, "refund") || strings.Contains(lower, "revers"):
		return "refund"
	case t == TypeCredit && m.hasWord("sal", "salary"):
		return "salary"
	}

	return ""
}
