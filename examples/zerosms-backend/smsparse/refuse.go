package smsparse

import (
	"errors"
	"regexp"
	"strings"
)

// ErrNotTransaction is matched (with errors.Is) by every refusal: the message is
// well formed but records no movement of money. A *RefusalError says why.
var ErrNotTransaction = errors.New("smsparse: not a transaction")

// ErrInvalidInput is matched by errors for input that cannot be a bank SMS at all:
// empty, too long, or not valid UTF-8.
var ErrInvalidInput = errors.New("smsparse: invalid input")

// Reason is a stable code that says why a message was refused.
type Reason string

// The reasons a message is refused. Their strings are stable: they are stored and
// shown to the user next to the message.
const (
	// ReasonOTP is a one-time password, even one that names an amount and a
	// merchant: the payment it authorises may never complete.
	ReasonOTP Reason = "otp"

	// ReasonPhishing is a message that lures the reader to a link or to share a
	// secret under a threat (blocked account, expiring KYC).
	ReasonPhishing Reason = "phishing"

	// ReasonPromotion is an offer, cashback or reward advertisement.
	ReasonPromotion Reason = "promotional"

	// ReasonBillReminder is a bill or statement that is due.
	ReasonBillReminder Reason = "bill_reminder"

	// ReasonFutureDebit announces a debit (or credit) that has not happened
	// yet ("will be debited").
	ReasonFutureDebit Reason = "future_debit_notice"

	// ReasonMandate is the registration or processing notice of a mandate (NACH,
	// e-mandate, standing instruction, UPI AutoPay) rather than a debit under it.
	ReasonMandate Reason = "mandate_notice"

	// ReasonFailed is a failed, declined or reversed-before-completion payment.
	ReasonFailed Reason = "failed_transaction"

	// ReasonFundsBlocked is money held (ASBA, lien) but not debited.
	ReasonFundsBlocked Reason = "funds_blocked"

	// ReasonVoucher is a reward voucher or gift card, which is not money in an
	// account.
	ReasonVoucher Reason = "reward_voucher"

	// ReasonCardBillPayment is a credit card issuer's receipt for a bill payment;
	// the bank side of the same payment is the debit to book, so booking this one
	// too would count it twice.
	ReasonCardBillPayment Reason = "card_bill_payment"

	// ReasonBalanceInfo is a balance statement with no movement.
	ReasonBalanceInfo Reason = "balance_info"

	// ReasonNoAmount is a message without a currency-marked amount.
	ReasonNoAmount Reason = "no_amount"

	// ReasonNoMovement is a message with an amount but no word that says money
	// moved (debited, credited, spent, sent, received, ...).
	ReasonNoMovement Reason = "no_movement"

	// ReasonNoAccount is a message that says money moved but names no account,
	// card, UPI address, reference, balance or payment rail: banks always name
	// one, so the message is not a bank's.
	ReasonNoAccount Reason = "no_account"
)

// RefusalError is returned for a message that moves no money. It matches
// ErrNotTransaction with errors.Is.
type RefusalError struct {
	// Reason is the stable code of the refusal.
	Reason Reason

	// Evidence is the phrase that decided the refusal, for the user and the logs.
	// It never holds an OTP: codes are masked.
	Evidence string
}

// Error describes the refusal.
func (e *RefusalError) Error() string {
	msg := "smsparse: not a transaction: " + string(e.Reason)
	if e.Evidence != "" {
		msg += " (" + e.Evidence + ")"
	}

	return msg
}

// Unwrap returns ErrNotTransaction.
func (e *RefusalError) Unwrap() error { return ErrNotTransaction }

// A rule refuses a message when one of its phrases matches, unless its
// exception matches too.
type rule struct {
	reason  Reason
	phrases []phrase
	unless  *regexp.Regexp
}

// A phrase is a pattern that can only match where its needle occurs, so that
// the pattern runs only on messages that contain the needle at a word start.
type phrase struct {
	needle string
	re     *regexp.Regexp
}

// p compiles a phrase.
func p(needle, pattern string) phrase {
	return phrase{needle: needle, re: regexp.MustCompile(pattern)}
}

// match returns where the earliest of the rule's phrases matches, or nil.
func (r *rule) match(m *message) []int {
	var best []int

	for _, ph := range r.phrases {
		if !m.mayStart(ph.needle) || !strings.Contains(m.lower, ph.needle) {
			continue
		}

		if loc := ph.re.FindStringIndex(m.lower); loc != nil && (best == nil || loc[0] < best[0]) {
			best = loc
		}
	}

	return best
}

// refundCredited excuses a "failed" that explains a refund or reversal.
var refundCredited = regexp.MustCompile(
	`\b(?:refund|revers)\w*\b.*\bcredited\b|\bcredited\b.*\b(?:refund|revers)`)

// Rules run in order after the phishing check; the first that matches decides.
// OTPs come first because they may carry every mark of a real transaction.
var rules = []rule{
	{reason: ReasonOTP, phrases: []phrase{
		p("otp", `\b\d{4,8} is (?:the|your) otp\b`),
		p("one", `\b\d{4,8} is (?:the|your) one.time.password`),
		p("verification code", `\b\d{4,8} is (?:the|your) verification code`),
		p("otp", `\botp(?: is|:| -)? ?\d{4,8}\b`),
		p("one", `\bone.time.password(?: is|:| -)? ?\d{4,8}\b`),
		p("verification code", `\bverification code(?: is|:| -)? ?\d{4,8}\b`),
		p("otp for", `\botp for (?:the )?(?:txn|transaction|payment|purchase)`),
	}},
	{reason: ReasonFailed, unless: refundCredited, phrases: []phrase{
		p("failed", `\bfailed\b`),
		p("declined", `\bdeclined\b`),
		p("unsuccessful", `\bunsuccessful\b`),
		p("could not be", `\bcould not be (?:processed|completed)\b`),
		p("has not been", `\bhas not been (?:processed|completed)\b`),
		p("insufficient", `\binsufficient (?:funds|balance)\b`),
	}},
	{reason: ReasonFutureDebit, phrases: []phrase{
		p(" be ", `\b(?:will|shall|would) be `+
			`(?:debited|charged|deducted|processed|auto.?debited|presented|credited|added`+
			`|transferred|sent|paid|refunded)`),
		p("to be ", `\bto be (?:debited|charged|deducted)`),
		p("scheduled", `\bscheduled (?:for|on)\b`),
		p("upcoming", `\bupcoming (?:debit|payment)`),
		p("due for", `\b(?:payment )?due for\b`),
	}},
	{reason: ReasonBillReminder, phrases: []phrase{
		p("bill alert", `\bbill alert\b`),
		p("is due", `\bis due\b`),
		p("due ", `\bdue (?:on|by|date)\b`),
		p("due", `\b(?:total|min(?:imum)?\.?) (?:amt|amount) due\b`),
		p("pay b", `\bpay (?:by|before)\b`),
		p("overdue", `\boverdue\b`),
		p("statement", `\bstatement (?:for|of) .* generated\b`),
	}},
	{reason: ReasonMandate, phrases: []phrase{
		p("mandate", mandateNotice),
		p("umrn", mandateNotice),
		p("standing instruction", mandateNotice),
		p("nach", mandateNotice),
		p("enach", mandateNotice),
		p("si ", mandateNotice),
	}},
	{reason: ReasonFundsBlocked, phrases: []phrase{
		p("blocked", `\b(?:is|has been|are|been) blocked\b`),
		p("earmarked", `\b(?:is|has been|are|been) earmarked\b`),
		p("hold", `\b(?:is|has been|are|been) on hold\b`),
		p("held", `\b(?:is|has been|are|been) held\b`),
		p("lien", `\blien\b`),
		p("asba", `\basba\b`),
	}},
	{reason: ReasonVoucher, phrases: []phrase{
		p("voucher", `\be-?voucher\b|\bvoucher code\b`),
		p("evoucher", `\bevoucher\b`),
		p("gift card", `\bgift card\b`),
	}},
	{reason: ReasonCardBillPayment, phrases: []phrase{
		p("payment of", `\bpayment of .* (?:has been )?received `+
			`(?:on|towards|for) (?:your )?.*credit card\b`),
		p("payment", `\bpayment (?:has been )?received (?:on|towards|for) your .*credit card\b`),
	}},
}

// mandateNotice is a mandate's registration or processing notice.
const mandateNotice = `\b(?:mandate|umrn|standing instruction|e-?nach|si)\b.*` +
	`\b(?:for processing|registered|registration|created|set ?up|activated|revoked` +
	`|cancelled|modified|request)\b`

// promoWords mark advertisements; they refuse a message only when no movement
// word is present, since real credits mention cashback too.
var promoWords = []string{
	"cashback", "offer", "earn", "win", "won", "discount", "limited time", "t&c apply",
	"pre-approved", "preapproved", "eligible", "apply now", "upto", "up to", "reward",
	"rewards", "hurry", "exclusive", "get",
}

// refuse applies the refusal rules to the lower-cased text.
func refuse(m *message, moved bool) *RefusalError {
	lower := m.lower
	if loc := phishing(m); loc != nil {
		return &RefusalError{Reason: ReasonPhishing, Evidence: evidence(lower, loc, ReasonPhishing)}
	}

	for i := range rules {
		r := &rules[i]

		loc := r.match(m)
		if loc == nil || (r.unless != nil && r.unless.MatchString(lower)) {
			continue
		}

		return &RefusalError{Reason: r.reason, Evidence: evidence(lower, loc, r.reason)}
	}

	if !moved {
		if i, w := m.firstWord(promoWords); i >= 0 {
			return &RefusalError{Reason: ReasonPromotion, Evidence: w}
		}

		if i, w := m.firstWord(balanceWords); i >= 0 {
			return &RefusalError{Reason: ReasonBalanceInfo, Evidence: w}
		}
	}

	return nil
}

// lureWords are the threats and baits of a phishing message; a link alone is
// not phishing, since banks add "Not you? <link>" to real alerts.
var lureWords = []string{
	"kyc", "blocked", "block today", "suspend", "verify", "expire", "deactivat",
	"update your pan", "update pan", "update kyc", "update your kyc", "aadhar", "aadhaar",
	"update your details", "click", "claim", "won ", "winner", "lottery", "prize",
}

// shareSecret asks the reader to give away a code; banks only ever say not to.
var shareSecret = regexp.MustCompile(
	`\b(?:share|send|enter|provide) (?:the |your )?(?:otp|pin|cvv|password)`)

var (
	secretWords = []string{"share", "send", "enter", "provide"}

	// linkNeedles find links, defanged ones ("hxxps://") and shorteners too.
	linkNeedles = []string{"://", "bit.ly/", "tinyurl.com/"}
)

// phishing returns where the lure is in a message that pairs a link with a
// threat or bait, or that asks for a secret; nil when it does neither.
func phishing(m *message) []int {
	lower := m.lower
	if m.containsAny(secretWords) {
		loc := shareSecret.FindStringIndex(lower)
		if loc != nil && !negated(lower[:loc[0]]) {
			return loc
		}
	}

	if !m.containsAny(linkNeedles) {
		return nil
	}

	for _, w := range lureWords {
		if i := strings.Index(lower, w); i >= 0 {
			return []int{i, i + len(w)}
		}
	}

	return nil
}

// negated reports whether the text just before a phrase negates it.
func negated(before string) bool {
	if len(before) > 16 {
		before = before[len(before)-16:]
	}

	return strings.Contains(before, "not") || strings.Contains(before, "never") ||
		strings.Contains(before, "don't") || strings.Contains(before, "dont")
}

// evidence returns the matched phrase, clipped, with any OTP digits masked.
func evidence(lower string, loc []int, reason Reason) string {
	e := lower[loc[0]:loc[1]]
	if len(e) > 60 {
		e = e[:60]
	}

	if reason == ReasonOTP {
		e = otpDigits.ReplaceAllString(e, "******")
	}

	return strings.TrimSpace(e)
}

var otpDigits = regexp.MustCompile(`\d{4,8}`)
