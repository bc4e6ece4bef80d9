package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

const grantCols = `id, owner_id, auditor_id, scope, date_from, date_to, categories,
	expires_at, revoked_at, created_at`

func scanGrant(r scanner) (domain.Grant, error) {
	var (
		g            domain.Grant
		cats         string
		exp, created int64
		revoked      sql.NullInt64
	)

	err := r.Scan(&g.ID, &g.OwnerID, &g.AuditorID, &g.Scope, &g.DateFrom, &g.DateTo,
		&cats, &exp, &revoked, &created)
	for _, c := range strings.Fields(cats) {
		g.Categories = append(g.Categories, domain.Category(c))
	}

	g.ExpiresAt, g.CreatedAt, g.RevokedAt = fromMS(exp), fromMS(created), fromNullMS(revoked)

	return g, mapErr(err)
}

// CreateGrant records a validated grant. The auditor must be an active user
// with the auditor role, else ErrConflict.
func (s *Store) CreateGrant(ctx context.Context, g domain.Grant) (domain.Grant, error) {
	g.ID = NewID()
	g.CreatedAt = fromMS(ms(s.now()))

	cats := make([]string, len(g.Categories))
	for i, c := range g.Categories {
		cats[i] = string(c)
	}

	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO grants (`+grantCols+`)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, NULL, $9
			WHERE EXISTS (SELECT 1 FROM users WHERE id = $3
				AND status = 'active' AND role = 'auditor')`,
			g.ID, g.OwnerID, g.AuditorID, string(g.Scope), g.DateFrom, g.DateTo,
			strings.Join(cats, " "), ms(g.ExpiresAt), ms(g.CreatedAt))
		if err := affected(res, err); err != nil {
			return conflictIfMissing(err)
		}

		return nil
	})

	return g, err
}

func conflictIfMissing(err error) error {
	if err == ErrNotFound {
		return ErrConflict
	}

	return err
}

// GrantFilter selects grants; zero fields match everything.
type GrantFilter struct {
	OwnerID   string
	AuditorID string
}

// Grants lists grants, revoked and expired ones included, newest first.
func (s *Store) Grants(ctx context.Context, f GrantFilter) ([]domain.Grant, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+grantCols+` FROM grants
		WHERE ($1 = '' OR owner_id = $1) AND ($2 = '' OR auditor_id = $2)
		ORDER BY created_at DESC, id`, f.OwnerID, f.AuditorID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	out := []domain.Grant{}
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}

		out = append(out, g)
	}

	return out, mapErr(rows.Err())
}

// RevokeGrant revokes one of owner's grants.
func (s *Store) RevokeGrant(ctx context.Context, owner, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE grants SET revoked_at = $3
			WHERE id = $1 AND owner_id = $2 AND revoked_at IS NULL`, id, owner, ms(s.now()))

		return affected(res, err)
	})
}

// GrantOwner returns who made a grant, for policy hooks.
func (s *Store) GrantOwner(ctx context.Context, id string) (string, error) {
	var owner string
	err := s.db.QueryRowContext(ctx, `SELECT owner_id FROM grants WHERE id = $1`, id).Scan(&owner)

	return owner, mapErr(err)
}
