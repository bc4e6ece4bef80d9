package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/password"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// DefaultAdminEmail is the email of the first admin that dev creates.
const DefaultAdminEmail = "admin@financeapp.test"

// Account is a user created at start-up, with the password to show once.
type Account struct {
	ID, Email, Password string
	Role                domain.Role
}

// GeneratePassword returns a random 20-character password (about 119 bits).
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

	b := make([]byte, 20)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("app: password: %w", err)
		}

		b[i] = alphabet[n.Int64()]
	}

	return string(b), nil
}

// BootstrapAdmin creates the first admin with a generated password, once,
// and pushes the new role binding to the engines. It returns nil when an
// admin exists already.
func BootstrapAdmin(ctx context.Context, p *Platform, email string) (*Account, error) {
	a, err := Bootstrap(ctx, p.store, email, p.passwordParams())
	if err != nil || a == nil {
		return a, err
	}

	return a, p.pip.Publish(ctx)
}

// Bootstrap creates the first admin in st with a generated password, once.
// It returns nil when an admin exists already.
func Bootstrap(ctx context.Context, st *store.Store, email string,
	params password.Params) (*Account, error) {
	email, err := domain.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}

	pw, err := GeneratePassword()
	if err != nil {
		return nil, err
	}

	hash, err := password.Hash(pw, params)
	if err != nil {
		return nil, err
	}

	u, err := st.BootstrapAdmin(ctx, email, hash)
	if errors.Is(err, store.ErrConflict) {
		return nil, nil
	}

	if err != nil {
		return nil, err
	}

	return &Account{ID: u.ID, Email: email, Password: pw, Role: domain.RoleAdmin}, nil
}

func (p *Platform) passwordParams() password.Params {
	if p.cfg.Password == (password.Params{}) {
		return password.Default
	}

	return p.cfg.Password
}

// SeedDemo creates, on an empty platform, a user with a few months of
// transactions and an auditor, both active with generated passwords. It
// does nothing when any user but the admin exists.
func SeedDemo(ctx context.Context, p *Platform) ([]Account, error) {
	users, err := p.store.Users(ctx, store.UserFilter{})
	if err != nil || len(users) > 1 {
		return nil, err
	}

	var out []Account

	for _, d := range []struct {
		email, name string
		role        domain.Role
	}{
		{"asha@demo.financeapp.test", "Asha (demo user)", domain.RoleUser},
		{"ravi@demo.financeapp.test", "Ravi (demo auditor)", domain.RoleAuditor},
	} {
		a, err := p.seedUser(ctx, d.email, d.name, d.role)
		if err != nil {
			return nil, err
		}

		out = append(out, a)
	}

	if err := p.seedTransactions(ctx, out[0].ID); err != nil {
		return nil, err
	}

	return out, p.pip.Publish(ctx)
}

func (p *Platform) seedUser(ctx context.Context, email, name string,
	role domain.Role) (Account, error) {
	pw, err := GeneratePassword()
	if err != nil {
		return Account{}, err
	}

	hash, err := password.Hash(pw, p.passwordParams())
	if err != nil {
		return Account{}, err
	}

	u, err := p.store.CreateUser(ctx, email, name, hash)
	if err != nil {
		return Account{}, err
	}

	if err := p.store.SetRole(ctx, u.ID, role); err != nil {
		return Account{}, err
	}

	return Account{ID: u.ID, Email: email, Password: pw, Role: role}, nil
}

func (p *Platform) seedTransactions(ctx context.Context, owner string) error {
	kinds := []struct {
		amount        int64
		pay, cat, txt string
	}{
		{45000, "upi", "expense", "Groceries"},
		{1200000, "card", "investment", "Index fund SIP"},
		{500000, "upi", "saving", "Recurring deposit"},
		{8900, "cash", "expense", "Auto-rickshaw"},
		{250000, "card", "expense", "Electricity bill"},
	}

	today := time.Now().UTC()
	for m := 0; m < 6; m++ {
		for i, k := range kinds {
			date := today.AddDate(0, -m, -i).Format(domain.DateLayout)
			in := domain.TransactionInput{AmountMinor: k.amount + int64(m*100), Currency: "INR",
				PaymentType: k.pay, Category: k.cat, Description: k.txt, Location: "Pune",
				Date: date}

			if _, err := p.store.CreateTransaction(ctx, owner, in); err != nil {
				return err
			}
		}
	}

	return nil
}
