package smsparse

import (
	"regexp"
	"strings"
)

// Masked accounts and cards: "A/c XX4821", "A/C *7306", "AC X3807",
// "Acct XX518", "Account XXXXXXXX5203", "Card no. XX2684", "card XX**8025",
// "credit card ending with 6391", "Debit Card 2716", "A/c no. XX7152".
var accountRe = regexp.MustCompile(
	`(?i)\b(a/c|ac|acct|account|acc|card)\b(?:\s*(?:no\.?|number|ending(?:\s+(?:with|in))?|:|-))*` +
		`\s*([x*#.]*)(\d{3,6})\b`)

// References: "UPI Ref No 604218375519", "RRN 771530428816", "UTR Ref.
// HDFCH00000000000", "reference number IN12603221231681", "Txn ID ...".
var refRe = regexp.MustCompile(
	`(?i)\b(?:(?:upi|imps|neft|rtgs|utr)\s*)?(?:ref(?:erence)?|rrn|utr|txn\s*id|transaction\s*id)\b\.?` +
		`(?:\s*(?:no|number|num|id)\b\.?)?\s*[:#.\-]?\s*([a-z0-9]{6,24})\b`)

// Channel-tagged references: "UPI:418830267154", "IMPS:ABCDEF123456",
// "UPI-638903921672-CORN".
var chanRefRe = regexp.MustCompile(`(?i)\b(?:upi|imps|neft|rtgs)\s*[:\-/]\s*([a-z0-9]{6,24})\b`)

// VPAs (UPI addresses): a handle without dots after the "@". An address whose
// handle goes on with a top-level domain is an e-mail address instead.
var (
	vpaRe   = regexp.MustCompile(`\b[a-zA-Z0-9][a-zA-Z0-9._\-]{0,255}@[a-zA-Z][a-zA-Z0-9]{1,63}\b`)
	emailRe = regexp.MustCompile(`(?i)^\.(?:com|in|org|net|co|io|gov|edu|info|biz)\b`)
)

// counterpartyRes name the other side of a transaction, tried in order.
var counterpartyRes = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:neft|imps|rtgs)\s*cr-[a-z0-9]+-([^-]{2,60})-`),
	regexp.MustCompile(`(?i)\bupi-\d{6,24}-([\w &.'-]{2,40}?)(?:\.\s|\.$|\s+avl\b|$)`),
	regexp.MustCompile(`(?i)\bsent by ([\w .&'-]{2,60}?) on\b`),
	regexp.MustCompile(`(?i)\bfrom beneficiary ([\w .&'-]{2,60}?)(?:\.|,| on\b|$)`),
	regexp.MustCompile(`(?i)\btowards ([\w .&'-]{2,60}?) (?:for|on|via|ref|rrn)\b`),
	regexp.MustCompile(`(?i);\s*([\w .&'-]{2,60}?) credited\b`),
	regexp.MustCompile(`(?i)\b(?:spent|done|used|paid|txn|transaction|purchase)\b.{0,80}?\bat ` +
		`([\w&'*-][\w .&'*-]{1,40}?)(?: on\b| avl\b|\.\s|\.$|,|$)`),
	regexp.MustCompile(`(?i)\bfor ([a-z][\w &'-]{1,40}?) via\b`),
	regexp.MustCompile(`(?i)\bto ([a-z][\w .&'-]{1,60}?) (?:on|via|ref|from)\b`),
	regexp.MustCompile(`(?i)\bon ([\w][^.;\n]{1,60}?)\s*\.\s*(?:avl|available)\b`),
}

// notAName rejects phrases that the counterparty patterns catch but that name
// nobody: "the beneficiary account", "your account".
var notAName = regexp.MustCompile(`(?i)^(?:the|your|you|my|a|an|this|our)\b|^(?:a/c|ac|acct|account)\b`)

// corporateSuffix is stripped from a counterparty's name.
var corporateSuffix = regexp.MustCompile(`(?i)\s+(?:pvt\.?|private)?\s*(?:ltd\.?|limited)\s*$|\s+pvt\.?\s*$`)

// balanceWords and limitWords label an amount by the words just before it.
var (
	balanceWords = regexp.MustCompile(`\b(?:bal|balance)\b`)
	limitWords   = regexp.MustCompile(`\blimit\b`)
)

// account finds the first masked account or card and, for a transfer between
// own accounts, the second one.
func account(s string) (first, firstKind, second string) {
	ms := accountRe.FindAllStringSubmatch(s, 2)
	if len(ms) == 0 {
		return "", "", ""
	}

	first, firstKind = ms[0][3], strings.ToLower(ms[0][1])
	if len(ms) > 1 {
		second = ms[1][3]
	}

	return first, firstKind, second
}

// reference returns the first reference that holds a digit.
func reference(s string) string {
	for _, re := range []*regexp.Regexp{refRe, chanRefRe} {
		for _, m := range re.FindAllStringSubmatch(s, 4) {
			if strings.ContainsAny(m[1], "0123456789") {
				return m[1]
			}
		}
	}

	return ""
}

// vpa returns the first UPI address in s.
func vpa(s string) string {
	for _, loc := range vpaRe.FindAllStringIndex(s, 4) {
		if !emailRe.MatchString(s[loc[1]:]) {
			return s[loc[0]:loc[1]]
		}
	}

	return ""
}

// counterparty names the merchant, payer or payee.
func counterparty(s string) string {
	for _, re := range counterpartyRes {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}

		name := m[1]
		if i := strings.LastIndex(strings.ToLower(name), " on "); i >= 0 {
			name = name[i+len(" on "):]
		}

		name = strings.TrimSpace(corporateSuffix.ReplaceAllString(strings.TrimSpace(name), ""))
		if name != "" && !strings.ContainsRune(name, '@') && !notAName.MatchString(name) {
			return name
		}
	}

	return lineCounterparty(s)
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
		if _, ok := findDate(l, IST); ok {
			seenDate = true

			continue
		}

		if seenDate && l != "" && !strings.ContainsAny(l, "0123456789:?") {
			return l
		}
	}

	return ""
}

// channelRules map words to channels, first match wins.
var channelRules = []struct {
	channel Channel
	re      *regexp.Regexp
}{
	{ChannelIMPS, regexp.MustCompile(`\bimps\b`)},
	{ChannelNEFT, regexp.MustCompile(`\bneft\b`)},
	{ChannelRTGS, regexp.MustCompile(`\brtgs\b`)},
	{ChannelUPI, regexp.MustCompile(`\bupi\b|\bvpa\b`)},
	{ChannelATM, regexp.MustCompile(`\b(?:atm|nfs)|\bcash (?:wdl|withdrawal)\b|\bwithdrawn at\b`)},
	{ChannelAutoPay, regexp.MustCompile(`\bauto ?pay\b`)},
	{ChannelMandate, regexp.MustCompile(`\be-?mandate\b|\bnach\b|\becs\b|\bstanding instruction\b`)},
	{ChannelCheque, regexp.MustCompile(`\b(?:cheque|chq)\b.{0,20}\b(?:cleared|debited|credited|paid)\b`)},
	{ChannelNetBanking, regexp.MustCompile(`\bnet ?banking\b|\binternet banking\b`)},
}

// channel returns the payment rail named in the lower-cased text.
func channel(lower, vpa string, instrument Instrument) Channel {
	for _, r := range channelRules {
		if r.re.MatchString(lower) {
			return r.channel
		}
	}

	switch {
	case vpa != "":
		return ChannelUPI
	case instrument == InstrumentCreditCard || instrument == InstrumentDebitCard ||
		instrument == InstrumentCard:
		return ChannelCard
	}

	return ""
}

// instrument tells what the account is from the words around it.
func instrument(lower, kind string) Instrument {
	switch {
	case strings.Contains(lower, "credit card"):
		return InstrumentCreditCard
	case strings.Contains(lower, "debit card"):
		return InstrumentDebitCard
	case kind == "card" && limitWords.MatchString(lower):
		return InstrumentCreditCard
	case kind == "card":
		return InstrumentCard
	case kind != "":
		return InstrumentAccount
	}

	return ""
}

// category tags a transaction with what it is for, when the text says.
func category(lower string, t Type, ch Channel) string {
	switch {
	case ch == ChannelATM:
		return "cash_withdrawal"
	case strings.Contains(lower, "refund") || strings.Contains(lower, "revers"):
		return "refund"
	case t == TypeCredit && salaryRe.MatchString(lower):
		return "salary"
	}

	return ""
}

var salaryRe = regexp.MustCompile(`\bsal(?:ary)?\b`)
