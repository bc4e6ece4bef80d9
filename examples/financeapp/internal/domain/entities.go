package domain

import "time"

// User is an account of the platform.
type User struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Status      Status    `json:"status"`
	Role        Role      `json:"role,omitempty"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Transaction is one money movement recorded by its owner.
type Transaction struct {
	ID          string      `json:"id"`
	OwnerID     string      `json:"owner_id"`
	AmountMinor int64       `json:"amount_minor"`
	Currency    string      `json:"currency"`
	PaymentType PaymentType `json:"payment_type"`
	Category    Category    `json:"category"`
	Description string      `json:"description"`
	Location    string      `json:"location"`
	Date        string      `json:"date"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// TransactionInput is what a caller provides to create or replace a
// transaction.
type TransactionInput struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	PaymentType string `json:"payment_type"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Location    string `json:"location"`
	Date        string `json:"date"`
}

// Validate checks every field and returns the input in its stored form.
func (in TransactionInput) Validate() (TransactionInput, error) {
	var err error

	if err = ValidateAmount(in.AmountMinor); err != nil {
		return in, err
	}

	if err = ValidateCurrency(in.Currency); err != nil {
		return in, err
	}

	if _, err = ParsePaymentType(in.PaymentType); err != nil {
		return in, err
	}

	if _, err = ParseCategory(in.Category); err != nil {
		return in, err
	}

	if _, err = ParseDate("date", in.Date); err != nil {
		return in, err
	}

	if in.Description, err = CleanText("description", in.Description, 200); err != nil {
		return in, err
	}

	in.Location, err = CleanText("location", in.Location, 100)

	return in, err
}

// ScopeKind says what part of an owner's transactions a grant covers.
type ScopeKind string

// The grant scopes.
const (
	ScopeAll        ScopeKind = "all"
	ScopeDateRange  ScopeKind = "date_range"
	ScopeCategories ScopeKind = "categories"
)

// Grant lets an auditor read part of an owner's transactions until it expires
// or the owner revokes it.
type Grant struct {
	ID         string     `json:"id"`
	OwnerID    string     `json:"owner_id"`
	AuditorID  string     `json:"auditor_id"`
	Scope      ScopeKind  `json:"scope"`
	DateFrom   string     `json:"date_from,omitempty"`
	DateTo     string     `json:"date_to,omitempty"`
	Categories []Category `json:"categories,omitempty"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Active reports whether the grant is in force at now.
func (g Grant) Active(now time.Time) bool {
	return g.RevokedAt == nil && now.Before(g.ExpiresAt)
}

// GrantInput is what an owner provides to share with an auditor.
type GrantInput struct {
	AuditorID  string    `json:"auditor_id"`
	Scope      string    `json:"scope"`
	DateFrom   string    `json:"date_from,omitempty"`
	DateTo     string    `json:"date_to,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// MaxGrantLifetime bounds how far in the future a grant may expire.
const MaxGrantLifetime = 366 * 24 * time.Hour

// Validate checks the input against now and returns the grant it describes.
func (in GrantInput) Validate(ownerID string, now time.Time) (Grant, error) {
	g := Grant{OwnerID: ownerID, AuditorID: in.AuditorID, ExpiresAt: in.ExpiresAt.UTC()}
	if in.AuditorID == "" || in.AuditorID == ownerID {
		return g, invalid("auditor_id", "must name another user, an auditor")
	}

	if !g.ExpiresAt.After(now) || g.ExpiresAt.Sub(now) > MaxGrantLifetime {
		return g, invalid("expires_at", "must be in the future, within a year")
	}

	switch g.Scope = ScopeKind(in.Scope); g.Scope {
	case ScopeAll:
		if in.DateFrom != "" || in.DateTo != "" || len(in.Categories) > 0 {
			return g, invalid("scope", "all takes no dates or categories")
		}
	case ScopeDateRange:
		return g, in.validateRange(&g)
	case ScopeCategories:
		return g, in.validateCategories(&g)
	default:
		return g, invalid("scope", "must be one of all, date_range, categories")
	}

	return g, nil
}

func (in GrantInput) validateRange(g *Grant) error {
	from, err := ParseDate("date_from", in.DateFrom)
	if err != nil {
		return err
	}

	to, err := ParseDate("date_to", in.DateTo)
	if err != nil {
		return err
	}

	if to.Before(from) || len(in.Categories) > 0 {
		return invalid("date_to", "must not be before date_from; no categories")
	}

	g.DateFrom, g.DateTo = in.DateFrom, in.DateTo

	return nil
}

func (in GrantInput) validateCategories(g *Grant) error {
	if len(in.Categories) == 0 || in.DateFrom != "" || in.DateTo != "" {
		return invalid("categories", "must list at least one category and no dates")
	}

	seen := map[Category]bool{}
	for _, s := range in.Categories {
		c, err := ParseCategory(s)
		if err != nil {
			return err
		}

		if !seen[c] {
			seen[c] = true
			g.Categories = append(g.Categories, c)
		}
	}

	return nil
}

// DraftStatus says where an SMS draft stands.
type DraftStatus string

// The draft states.
const (
	DraftPending   DraftStatus = "pending"
	DraftConfirmed DraftStatus = "confirmed"
	DraftDiscarded DraftStatus = "discarded"
)

// Draft is a transaction parsed from a bank SMS by the ZeroSMS backend, waiting
// for its owner to confirm or discard it.
type Draft struct {
	ID            string           `json:"id"`
	OwnerID       string           `json:"owner_id"`
	SourceID      string           `json:"source_id"`
	Transaction   TransactionInput `json:"transaction"`
	Flags         []string         `json:"flags,omitempty"`
	Status        DraftStatus      `json:"status"`
	TransactionID string           `json:"transaction_id,omitempty"`
	CreatedAt     time.Time        `json:"created_at"`
}

// Session is one sign-in of a user, the anchor of its refresh tokens.
type Session struct {
	ID          string     `json:"id"`
	UserID      string     `json:"user_id"`
	AuthMethods []string   `json:"auth_methods"`
	Address     string     `json:"address"`
	UserAgent   string     `json:"user_agent"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// SessionEvent is one line of a user's session log.
type SessionEvent struct {
	ID        int64     `json:"id"`
	UserID    string    `json:"user_id"`
	SessionID string    `json:"session_id,omitempty"`
	Event     string    `json:"event"`
	Address   string    `json:"address"`
	UserAgent string    `json:"user_agent"`
	At        time.Time `json:"at"`
}

// The session log events.
const (
	EventLogin        = "login"
	EventLoginFailed  = "login_failed"
	EventLocked       = "locked"
	EventRefresh      = "refresh"
	EventRefreshReuse = "refresh_reuse"
	EventLogout       = "logout"
	EventRevoke       = "revoke"

	// EventPasswordChange is logged on the session that changed the
	// password; the user's other sessions are revoked with EventRevoke.
	EventPasswordChange = "password_change"

	// EventTOTPDisabled is logged when a user turns TOTP off.
	EventTOTPDisabled = "totp_disabled"
)
