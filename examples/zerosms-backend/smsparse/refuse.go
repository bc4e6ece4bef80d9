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

	// ReasonFutureDebit announces a debit that has not happened yet ("will be
	// debited").
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

// A rule refuses a message whose lower-cased text its pattern matches, unless
// its exception matches too.
// The pattern runs only when one of the needles is in the text.
type rule struct {
	reason  Reason
	needles []string
	re      *regexp.Regexp
	unless  *regexp.Regexp
}

// refundCredited excuses a "failed" that explains a refund or reversal.
var refundCredited = regexp.MustCompile(`\b(?:refund|revers)\w*\b.*\bcredited\b|\bcredited\b.*\b(?:refund|revers)`)

// Rules run in order after the phishing check; the first that matches decides.
// OTPs come first because they may carry every mark of a real transaction.
var rules = []rule{
	{reason: ReasonOTP, needles: []string{"otp", "one time", "one-time", "verification code"},
		re: regexp.MustCompile(
			`\b\d{4,8} is (?:the|your) (?:otp|one.time.password|verification code)` +
				`|\b(?:otp|one.time.password|verification code)(?: is|:| -)? ?\d{4,8}\b` +
				`|\botp for (?:the )?(?:txn|transaction|payment|purchase)`)},
	{reason: ReasonFailed, needles: []string{"fail", "declin", "unsuccess", "could not", "has not been", "insufficient"},
		re: regexp.MustCompile(
			`\b(?:failed|declined|unsuccessful|could not be (?:processed|completed)` +
				`|has not been (?:processed|completed)|insufficient (?:funds|balance))\b`),
		unless: refundCredited},
	{reason: ReasonFutureDebit, needles: []string{"will be", "shall be", "would be", "to be ", "schedul", "upcoming", "due for"},
		re: regexp.MustCompile(
			`\b(?:will|shall|would) be (?:debited|charged|deducted|processed|auto.?debited|presented)` +
				`|\bto be (?:debited|charged|deducted)|\bscheduled (?:for|on)\b|\bupcoming (?:debit|payment)` +
				`|\bpayment due for\b|\bdue for (?:debit|payment)\b`)},
	{reason: ReasonBillReminder, needles: []string{"bill alert", "due", "overdue", "pay by", "pay before", "statement"},
		re: regexp.MustCompile(
			`\bbill alert\b|\bis due\b|\bdue (?:on|by|date)\b|\b(?:total|min(?:imum)?\.?) (?:amt|amount) due\b` +
				`|\bpay (?:by|before)\b|\boverdue\b|\bstatement (?:for|of) .* generated\b`)},
	{reason: ReasonMandate, needles: []string{"mandate", "umrn", "standing instruction", "nach", "si "},
		re: regexp.MustCompile(
			`\b(?:mandate|umrn|standing instruction|e-?nach|si)\b.*\b(?:for processing|registered` +
				`|registration|created|set ?up|activated|revoked|cancelled|modified|request)\b`)},
	{reason: ReasonFundsBlocked, needles: []string{"blocked", "earmarked", "hold", "held", "lien", "asba"},
		re: regexp.MustCompile(
			`\b(?:is|has been|are|been) (?:blocked|earmarked|on hold|held)\b|\blien\b|\basba\b`)},
	{reason: ReasonVoucher, needles: []string{"voucher", "evoucher", "gift card"},
		re: regexp.MustCompile(`\be-?voucher\b|\bgift card\b|\bvoucher code\b`)},
	{reason: ReasonCardBillPayment, needles: []string{"payment of", "payment received", "payment has"},
		re: regexp.MustCompile(
			`\bpayment of .* (?:has been )?received (?:on|towards|for) (?:your )?.*credit card\b` +
				`|\bpayment (?:has been )?received (?:on|towards|for) your .*credit card\b`)},
}

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

	for _, r := range rules {
		if !m.containsAny(r.needles) {
			continue
		}

		loc := r.re.FindStringIndex(lower)
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
var shareSecret = regexp.MustCompile(`\b(?:share|send|enter|provide) (?:the |your )?(?:otp|pin|cvv|password)`)

var (
	secretWords = []string{"share", "send", "enter", "provide"}
	linkNeedles = []string{"://", "bit.ly", "tinyurl"}
)

// linkRe finds links, including defanged ones ("hxxps://") and shorteners.
var linkRe = regexp.MustCompile(`(?:https?|hxxps?)://\S+|\bbit\.ly/\S*|\btinyurl\.com/\S*`)

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

	if !m.containsAny(linkNeedles) || !linkRe.MatchString(lower) {
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
