// Package finance is the ZeroSMS backend's client of the finance platform:
// it renews a device's delegated platform session through the public
// service, and delivers parsed transactions to the platform's backend as
// drafts over mutual TLS, under the backend's own SPIFFE ID and on the
// user's behalf (the user's access token), so that the platform's policy
// checks both the calling workload and the user.
package finance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

// ErrRefused is matched by errors for requests the platform answered with a
// client error (4xx): resending the same request will not help.
var ErrRefused = errors.New("finance: refused by the platform")

// maxAnswer bounds the size of a platform answer that is read.
const maxAnswer = 1 << 20

// Client talks to the finance platform.
type Client struct {
	// Public is the platform's public base URL (sign-in, refresh, JWKS).
	Public *url.URL

	// PublicHTTP reaches Public over server-authenticated TLS.
	PublicHTTP *http.Client

	// Backend is the platform backend's base URL.
	Backend *url.URL

	// BackendHTTP reaches Backend over mutual TLS with the ZeroSMS
	// backend's SVID, authorizing only the platform backend's SPIFFE ID.
	BackendHTTP *http.Client
}

// Tokens is the platform's answer to a sign-in or refresh.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	SessionID    string `json:"session_id"`
}

// Refresh spends a refresh token and returns the new access and refresh
// tokens (the platform rotates refresh tokens).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	var out Tokens

	err := c.post(ctx, c.PublicHTTP, c.Public.JoinPath("/v1/auth/refresh"), "",
		map[string]string{"refresh_token": refreshToken}, &out)
	if err != nil {
		return nil, err
	}

	if out.AccessToken == "" || out.RefreshToken == "" {
		return nil, errors.New("finance: refresh answer without tokens")
	}

	return &out, nil
}

// TransactionInput is the platform's transaction as a draft carries it.
type TransactionInput struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	PaymentType string `json:"payment_type"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Location    string `json:"location,omitempty"`
	Date        string `json:"date"`
}

// Draft is what the platform receives for one parsed SMS.
type Draft struct {
	// SourceID identifies the message, so that a resend is recognised.
	SourceID string `json:"source_id"`

	// Transaction is the parsed transaction.
	Transaction TransactionInput `json:"transaction"`

	// Flags ask the user to check: "spam", "low_confidence".
	Flags []string `json:"flags,omitempty"`
}

// DraftAnswer is the platform's draft.
type DraftAnswer struct {
	ID       string `json:"id"`
	OwnerID  string `json:"owner_id"`
	SourceID string `json:"source_id"`
	Status   string `json:"status"`
}

// SendDraft delivers a draft on behalf of the user whose access token is
// given. Resending a draft with the same SourceID returns the first one.
func (c *Client) SendDraft(ctx context.Context, accessToken string, d *Draft) (*DraftAnswer, error) {
	var out DraftAnswer

	err := c.post(ctx, c.BackendHTTP, c.Backend.JoinPath("/internal/v1/drafts"),
		accessToken, d, &out)
	if err != nil {
		return nil, err
	}

	return &out, nil
}

func (c *Client) post(ctx context.Context, hc *http.Client, u *url.URL, bearer string,
	in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("finance: %w", err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("finance: %w", err)
	}

	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}

	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("finance: %s: %w", u.Path, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("finance: %s: %w", u.Path, err)
	}

	switch {
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return fmt.Errorf("%w: %s: %d %s", ErrRefused, u.Path, resp.StatusCode, problem(body))
	case resp.StatusCode >= 300:
		return fmt.Errorf("finance: %s: status %d", u.Path, resp.StatusCode)
	}

	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("finance: %s: answer: %w", u.Path, err)
	}

	return nil
}

// problem returns the title or code of an RFC 9457 problem answer.
func problem(body []byte) string {
	var p struct {
		Title, Code, Detail string
	}

	if json.Unmarshal(body, &p) != nil {
		return ""
	}

	return p.Code + " " + p.Title + " " + p.Detail
}

// DraftFrom maps a parsed transaction to the platform's draft. The platform
// records spending (expense, saving, investment) only, so only debits and
// transfers out are drafts; ok is false for a credit.
//
// TODO(income): the platform has no income transactions; credits (salary,
// refunds) are kept here and not forwarded until it does.
func DraftFrom(sourceID string, tx *smsparse.Transaction, received time.Time,
	spam bool) (d *Draft, ok bool) {
	if tx.Type == smsparse.TypeCredit {
		return nil, false
	}

	d = &Draft{SourceID: sourceID, Transaction: TransactionInput{
		AmountMinor: tx.Amount.Minor, Currency: tx.Amount.Currency,
		Category: "expense", Description: describe(tx),
		Date: received.UTC().Format(time.DateOnly),
	}}

	if !tx.Date.IsZero() {
		d.Transaction.Date = tx.Date.Format(time.DateOnly)
	}

	var exact bool
	d.Transaction.PaymentType, exact = paymentType(tx)

	if !exact {
		d.Flags = append(d.Flags, "low_confidence")
	}

	if spam {
		d.Flags = append(d.Flags, "spam")
	}

	return d, true
}

// paymentType maps the rail to the platform's card, cash or upi; exact is
// false when the platform has no type for it (bank transfers, cheques).
func paymentType(tx *smsparse.Transaction) (string, bool) {
	switch {
	case tx.Channel == smsparse.ChannelATM || tx.Category == "cash_withdrawal":
		return "cash", true
	case tx.Channel == smsparse.ChannelCard || tx.Instrument == smsparse.InstrumentCreditCard ||
		tx.Instrument == smsparse.InstrumentDebitCard || tx.Instrument == smsparse.InstrumentCard:
		return "card", true
	case tx.Channel == smsparse.ChannelUPI || tx.VPA != "":
		return "upi", true
	}

	return "upi", false
}

// describe names the transaction for the user: counterparty, rail and
// reference, within the platform's 200 characters.
func describe(tx *smsparse.Transaction) string {
	who := tx.Counterparty
	if who == "" {
		who = tx.VPA
	}

	if who == "" {
		who = string(tx.Type)
	}

	s := who
	if tx.Channel != "" {
		s += " via " + string(tx.Channel)
	}

	if tx.Reference != "" {
		s += " ref " + tx.Reference
	}

	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}

	return s
}
