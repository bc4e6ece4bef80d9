package smsparse

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLength is the longest message Parse accepts, in bytes: ten concatenated SMS
// segments of multi-byte text, with room to spare.
const MaxLength = 4096

// Type is the direction of a transaction, seen from the user.
type Type string

// The directions of a transaction.
const (
	// TypeDebit is money leaving the user's account or card.
	TypeDebit Type = "debit"

	// TypeCredit is money arriving in the user's account or card.
	TypeCredit Type = "credit"

	// TypeTransfer is money moving between two of the user's own accounts.
	TypeTransfer Type = "transfer"
)

// Channel is the payment rail a transaction went through.
type Channel string

// The channels the parser recognises.
const (
	ChannelUPI        Channel = "UPI"        // Unified Payments Interface, VPAs
	ChannelIMPS       Channel = "IMPS"       // Immediate Payment Service
	ChannelNEFT       Channel = "NEFT"       // National Electronic Funds Transfer
	ChannelRTGS       Channel = "RTGS"       // Real Time Gross Settlement
	ChannelATM        Channel = "ATM"        // cash at an ATM (NFS)
	ChannelCard       Channel = "card"       // card payment at a merchant
	ChannelAutoPay    Channel = "autopay"    // UPI AutoPay or a bank's auto-debit
	ChannelMandate    Channel = "mandate"    // e-mandate, NACH, ECS, standing instruction
	ChannelCheque     Channel = "cheque"     // cheque cleared
	ChannelNetBanking Channel = "netbanking" // internet banking transfer
)

// Instrument is what the masked number identifies.
type Instrument string

// The instruments the parser recognises.
const (
	InstrumentAccount    Instrument = "account"     // a bank account
	InstrumentDebitCard  Instrument = "debit_card"  // a debit card
	InstrumentCreditCard Instrument = "credit_card" // a credit card
	InstrumentCard       Instrument = "card"        // a card of unknown kind
)

// Transaction is what a bank SMS says happened. Fields the message does not carry
// are left zero.
type Transaction struct {
	// Type is the direction: debit, credit or transfer.
	Type Type `json:"type"`

	// Amount is the money that moved, in minor units.
	Amount Money `json:"amount"`

	// Account holds the last digits of the user's masked account or card (3 to 6
	// digits, as the bank gave them). For a transfer it is the debited account.
	Account string `json:"account,omitempty"`

	// ToAccount holds the last digits of the credited own account of a transfer.
	ToAccount string `json:"to_account,omitempty"`

	// Instrument says whether Account is a bank account or a card.
	Instrument Instrument `json:"instrument,omitempty"`

	// Counterparty is the merchant, payer or payee as the bank named it.
	Counterparty string `json:"counterparty,omitempty"`

	// VPA is the counterparty's UPI address, when the message gives one.
	VPA string `json:"vpa,omitempty"`

	// Reference is the bank's reference: UPI RRN, IMPS, NEFT UTR, and so on.
	Reference string `json:"reference,omitempty"`

	// Channel is the payment rail.
	Channel Channel `json:"channel,omitempty"`

	// Category is what the transaction is for when the text says so: "salary",
	// "refund" or "cash_withdrawal".
	Category string `json:"category,omitempty"`

	// Date is when the bank says the transaction happened, in the parser's
	// location; it is zero when the message has no date. Its time of day is
	// midnight unless HasTime is set.
	Date time.Time `json:"date,omitzero"`

	// HasTime reports whether Date carries a time of day from the message.
	HasTime bool `json:"has_time,omitempty"`

	// DateText is the date as the message wrote it.
	DateText string `json:"date_text,omitempty"`

	// Balance is the account balance after the transaction, when given.
	Balance *Money `json:"balance,omitempty"`

	// AvailableLimit is a card's available credit after the transaction.
	AvailableLimit *Money `json:"available_limit,omitempty"`
}

// Parser turns bank SMS into transactions. Its zero value is ready to use and
// safe for concurrent use.
type Parser struct {
	// Location is the zone the bank's dates are in. Nil means IST.
	Location *time.Location
}

// Parse parses one message with the zero Parser.
func Parse(text string) (*Transaction, error) {
	var p Parser

	return p.Parse(text)
}

// Parse turns a bank SMS into a transaction. A message that moves no money
// returns a *RefusalError that matches ErrNotTransaction; input that cannot be an
// SMS returns an error that matches ErrInvalidInput.
func (p *Parser) Parse(text string) (*Transaction, error) {
	if err := checkInput(text); err != nil {
		return nil, err
	}

	text = normalise(text)
	var msg message

	msg.init(asciiLower(text))
	m := &msg
	dir := direction(m)

	if r := refuse(m, dir.typ != ""); r != nil {
		return nil, r
	}

	tx, err := p.fields(text, m, dir)
	if err != nil {
		return nil, err
	}

	return tx, nil
}

func checkInput(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return fmt.Errorf("%w: empty message", ErrInvalidInput)
	case len(text) > MaxLength:
		return fmt.Errorf("%w: message of %d bytes exceeds %d",
			ErrInvalidInput, len(text), MaxLength)
	case !utf8.ValidString(text):
		return fmt.Errorf("%w: message is not valid UTF-8", ErrInvalidInput)
	}

	return nil
}

// normalise turns the spaces that banks and phones vary (tabs, carriage returns,
// no-break spaces) into plain ones, keeping line breaks.
func normalise(s string) string {
	if !strings.ContainsAny(s, "\t\r\u00a0") {
		return s
	}

	return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\u00a0", " ").Replace(s)
}

// fields extracts everything but the direction from a message that passed the
// refusal rules.
func (p *Parser) fields(text string, m *message, dir movement) (*Transaction, error) {
	lower := m.lower
	amount, balance, limit := amounts(text, lower)
	if amount == nil {
		return nil, &RefusalError{Reason: ReasonNoAmount}
	}

	if dir.typ == "" {
		return nil, &RefusalError{Reason: ReasonNoMovement}
	}

	acct, kind, second := account(m)
	tx := &Transaction{
		Type:           dir.typ,
		Amount:         *amount,
		Account:        acct,
		Instrument:     instrument(m, kind),
		VPA:            vpa(text),
		Reference:      reference(text, m),
		Balance:        balance,
		AvailableLimit: limit,
	}

	if dir.typ == TypeTransfer {
		tx.ToAccount = second
	}

	tx.Channel = channel(m, tx.VPA, tx.Instrument)
	if !tx.identified() {
		return nil, &RefusalError{Reason: ReasonNoAccount}
	}

	tx.Counterparty = counterparty(text, m)
	tx.Category = category(m, tx.Type, tx.Channel)
	p.date(tx, text, lower)

	return tx, nil
}

// identified reports whether the transaction names something only a bank
// message would: an account or card, a UPI address, a reference, a balance or
// limit, or a payment rail.
func (tx *Transaction) identified() bool {
	return tx.Account != "" || tx.VPA != "" || tx.Reference != "" || tx.Balance != nil ||
		tx.AvailableLimit != nil || tx.Channel != ""
}

func (p *Parser) date(tx *Transaction, text, lower string) {
	loc := p.Location
	if loc == nil {
		loc = IST
	}

	if d, ok := findDate(text, lower, loc); ok {
		tx.Date, tx.HasTime, tx.DateText = d.t, d.hasTime, d.raw
	}
}

// amounts sorts the amounts of a message into the one that moved, the balance
// after it and the available limit, by the words just before each.
func amounts(text, lower string) (amount, balance, limit *Money) {
	prev := 0

	for _, a := range scanAmounts(text) {
		from := max(prev, a.start-32)
		ctx := lower[from:a.start]
		m := a.money

		switch {
		case hasWord(ctx, "limit"):
			if limit == nil {
				limit = &m
			}
		case hasWord(ctx, balanceWords...):
			if balance == nil {
				balance = &m
			}
		default:
			if amount == nil {
				amount = &m
			}
		}

		prev = a.end
	}

	return amount, balance, limit
}

func isOwnCredit(after string) bool {
	return strings.Contains(after, "credited") && ownCredited.MatchString(after)
}

// movement is the direction a message's words give.
type movement struct {
	typ Type
}

// The words that say money moved, and which way.
var (
	debitWords = []string{
		"debited", "spent", "sent", "withdrawn", "withdrawal", "wdl", "paid", "purchase",
		"purchased", "charged", "deducted", "done at", "done on", "done via", "used at",
		"used for", "transferred to", "processed successfully", "successfully processed",
		"credited to the beneficiary", "credited to beneficiary", "dr with", "dr. with",
		"dr by", "dr for",
	}
	creditWords = []string{
		"credited", "received", "deposited", "refunded", "refund", "reversed", "reversal",
		"added to your", "cr with", "cr. with", "cr by", "cr for",
	}

	// ownCredited is a second own account credited in a transfer.
	ownCredited = regexp.MustCompile(
		`\b(?:a/c|ac|acct|account)\b\s*(?:no\.?)?\s*[x*#]+\d{3,6}\s*(?:is |has been )?credited\b`)
)

// direction reads the direction of the money from the earliest movement word.
// "Acct XX1 debited ...; SHOP credited" is a debit, "credited to the beneficiary"
// a debit, and "Acct XX1 debited & Acct XX2 credited" a transfer.
func direction(m *message) movement {
	lower := m.lower
	d, dw := m.firstWord(debitWords)
	c, _ := m.firstWord(creditWords)

	switch {
	case d < 0 && c < 0:
		return movement{}
	case d >= 0 && isOwnCredit(lower[d+len(dw):]):
		return movement{typ: TypeTransfer}
	case c < 0 || (d >= 0 && d <= c):
		return movement{typ: TypeDebit}
	}

	return movement{typ: TypeCredit}
}
