package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

const userCols = `u.id, u.email, u.display_name, u.status, COALESCE(u.role, ''),
	COALESCE(c.totp_enabled, FALSE), u.created_at, u.updated_at`

const userFrom = ` FROM users u LEFT JOIN credentials c ON c.user_id = u.id`

type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner) (domain.User, error) {
	var (
		u                domain.User
		created, updated int64
	)

	err := r.Scan(&u.ID, &u.Email, &u.DisplayName, &u.Status, &u.Role, &u.TOTPEnabled,
		&created, &updated)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)

	return u, mapErr(err)
}

// CreateUser records a signed-up user in the pending state with its password
// hash. An email already in use is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, email, name, hash string) (domain.User, error) {
	now := s.now()
	u := domain.User{ID: NewID(), Email: email, DisplayName: name,
		Status: domain.StatusPending, CreatedAt: fromMS(ms(now)), UpdatedAt: fromMS(ms(now))}

	err := s.tx(ctx, func(tx *sql.Tx) error {
		return insertUser(ctx, tx, u, hash)
	})

	return u, err
}

func insertUser(ctx context.Context, tx *sql.Tx, u domain.User, hash string) error {
	var role any
	if u.Role != "" {
		role = string(u.Role)
	}

	_, err := tx.ExecContext(ctx, `INSERT INTO users
		(id, email, display_name, status, role, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, u.DisplayName, u.Status, role, ms(u.CreatedAt), ms(u.UpdatedAt))
	if err != nil {
		return mapErr(err)
	}

	_, err = tx.ExecContext(ctx,
		`INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)`, u.ID, hash)

	return mapErr(err)
}

// BootstrapAdmin creates the first admin, active, with the given password hash.
// It is ErrConflict when any admin already exists: bootstrap happens once.
func (s *Store) BootstrapAdmin(ctx context.Context, email, hash string) (domain.User, error) {
	now := fromMS(ms(s.now()))
	u := domain.User{ID: NewID(), Email: email, DisplayName: "Administrator",
		Status: domain.StatusActive, Role: domain.RoleAdmin, CreatedAt: now, UpdatedAt: now}

	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM users WHERE role = 'admin'`).Scan(&n)
		if err != nil {
			return mapErr(err)
		}

		if n > 0 {
			return fmt.Errorf("%w: an admin already exists", ErrConflict)
		}

		return insertUser(ctx, tx, u, hash)
	})

	return u, err
}

// User returns the user with the given ID.
func (s *Store) User(ctx context.Context, id string) (domain.User, error) {
	return scanUser(s.db.QueryRowContext(ctx,
		`SELECT `+userCols+userFrom+` WHERE u.id = $1`, id))
}

// UserByEmail returns the user with the given (normalized) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	return scanUser(s.db.QueryRowContext(ctx,
		`SELECT `+userCols+userFrom+` WHERE u.email = $1`, email))
}

// UserFilter selects users to list; zero fields match everything.
type UserFilter struct {
	Status domain.Status
	Role   domain.Role
}

// Users lists users in sign-up order.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]domain.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+userFrom+`
		WHERE ($1 = '' OR u.status = $1) AND ($2 = '' OR u.role = $2)
		ORDER BY u.created_at, u.id`, string(f.Status), string(f.Role))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	users := []domain.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}

		users = append(users, u)
	}

	return users, mapErr(rows.Err())
}

// SetRole makes a pending or active user active with exactly the given role.
// A rejected user is ErrConflict.
func (s *Store) SetRole(ctx context.Context, id string, role domain.Role) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users
			SET status = 'active', role = $2, updated_at = $3
			WHERE id = $1 AND status IN ('pending', 'active')`, id, string(role), ms(s.now()))

		return affected(res, err)
	})
}

// Reject moves a pending user to rejected.
func (s *Store) Reject(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users
			SET status = 'rejected', role = NULL, updated_at = $2
			WHERE id = $1 AND status = 'pending'`, id, ms(s.now()))

		return affected(res, err)
	})
}

// DeleteUser removes a user and, by cascade, everything the user owns.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		return affected(res, err)
	})
}

// UpdateProfile changes a user's display name.
func (s *Store) UpdateProfile(ctx context.Context, id, name string) (domain.User, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1`,
			id, name, ms(s.now()))

		return affected(res, err)
	})
	if err != nil {
		return domain.User{}, err
	}

	return s.User(ctx, id)
}

// Credentials are the secrets that prove a user's identity.
type Credentials struct {
	// PasswordHash is the argon2id PHC string.
	PasswordHash string

	// TOTPSecret is the base32 TOTP secret, empty when none was set up.
	TOTPSecret string

	// TOTPEnabled is true once the user confirmed the secret with a code.
	TOTPEnabled bool
}

// Credentials returns the credentials of a user.
func (s *Store) Credentials(ctx context.Context, userID string) (Credentials, error) {
	var c Credentials

	err := s.db.QueryRowContext(ctx, `SELECT password_hash, COALESCE(totp_secret, ''),
		totp_enabled FROM credentials WHERE user_id = $1`, userID).
		Scan(&c.PasswordHash, &c.TOTPSecret, &c.TOTPEnabled)
	if err != nil {
		return c, mapErr(err)
	}

	if c.TOTPSecret, err = s.openTOTP(userID, c.TOTPSecret); err != nil {
		return Credentials{}, err
	}

	return c, nil
}

// SetTOTP stores a TOTP secret and whether it is enabled; an empty secret
// removes it.
func (s *Store) SetTOTP(ctx context.Context, userID, secret string, enabled bool) error {
	var sec any
	if secret != "" {
		sealed, err := s.sealTOTP(userID, secret)
		if err != nil {
			return err
		}

		sec = sealed
	}

	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials
			SET totp_secret = $2, totp_enabled = $3 WHERE user_id = $1`, userID, sec, enabled)

		return affected(res, err)
	})
}

// SetPasswordHash replaces a user's password hash (after a parameter upgrade or
// a password change).
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE credentials SET password_hash = $2 WHERE user_id = $1`, userID, hash)

		return affected(res, err)
	})
}

// UseTOTPStep records that a TOTP code of time step step was accepted for
// userID. It is ErrConflict when a code of that step or a later one was
// accepted already: each code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET totp_last_step = $2
			WHERE user_id = $1 AND totp_last_step < $2`, userID, step)
		if err := affected(res, err); err == ErrNotFound {
			return fmt.Errorf("%w: TOTP code already used", ErrConflict)
		} else if err != nil {
			return err
		}

		return nil
	})
}
