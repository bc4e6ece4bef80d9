package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/zt/token"
)

// RefreshStore keeps zt/token's refresh token records in the database. It
// implements token.RefreshStore; revoking a family also revokes the
// sign-in sessions its tokens belong to, in the same transaction.
type RefreshStore struct {
	s *Store
}

// RefreshTokens returns the store's token.RefreshStore.
func (s *Store) RefreshTokens() *RefreshStore { return &RefreshStore{s: s} }

var _ token.RefreshStore = (*RefreshStore)(nil)

// Save stores a new record.
func (r *RefreshStore) Save(ctx context.Context, rec token.RefreshRecord) error {
	return r.s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO refresh_records (hash, family, subject,
			client_id, session_id, scopes, issued_at, expires_at, family_expires_at, used,
			revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			rec.Hash, rec.Family, rec.Grant.Subject, rec.Grant.ClientID, rec.Grant.SessionID,
			strings.Join(rec.Grant.Scopes, " "), ms(rec.IssuedAt), ms(rec.ExpiresAt),
			ms(rec.FamilyExpiresAt), rec.Used, rec.Revoked)

		return mapErr(err)
	})
}

// Use marks the record used and returns it as it was. The conditional
// update is atomic in both dialects: of concurrent calls, exactly one
// changes the row, and only that one sees the record unused.
func (r *RefreshStore) Use(ctx context.Context, hash string) (token.RefreshRecord, error) {
	var rec token.RefreshRecord

	err := r.s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refresh_records SET used = $2
			WHERE hash = $1 AND used = $3`, hash, true, false)
		if err != nil {
			return mapErr(err)
		}

		changed, err := res.RowsAffected()
		if err != nil {
			return mapErr(err)
		}

		if rec, err = scanRefresh(tx.QueryRowContext(ctx, `SELECT `+refreshCols+`
			FROM refresh_records WHERE hash = $1`, hash)); err != nil {
			return err
		}

		rec.Used = changed == 0

		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return rec, fmt.Errorf("store: %w", token.ErrRefreshUnknown)
	}

	return rec, err
}

// RevokeFamily marks every record of family revoked and revokes their
// sessions.
func (r *RefreshStore) RevokeFamily(ctx context.Context, family string) error {
	_, err := r.RevokeFamilySessions(ctx, family)
	return err
}

// RevokeFamilySessions revokes family like RevokeFamily and returns the
// sessions it revoked, with a refresh_reuse line in each one's session log,
// so that the caller can refuse their access tokens at once.
func (r *RefreshStore) RevokeFamilySessions(ctx context.Context,
	family string) ([]string, error) {
	var ids []string

	err := r.s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_records SET revoked = $2
			WHERE family = $1`, family, true); err != nil {
			return mapErr(err)
		}

		rows, err := tx.QueryContext(ctx, `SELECT id, user_id FROM sessions WHERE revoked_at
			IS NULL AND id IN (SELECT session_id FROM refresh_records WHERE family = $1)`,
			family)
		if err != nil {
			return mapErr(err)
		}

		users, err := collectPairs(rows)
		if err != nil {
			return err
		}

		for sid, uid := range users {
			if err := r.s.revokeSession(ctx, tx, uid, sid, domain.EventRefreshReuse,
				"", ""); err != nil {
				return err
			}

			ids = append(ids, sid)
		}

		return nil
	})

	return ids, err
}

const refreshCols = `hash, family, subject, client_id, session_id, scopes, issued_at,
	expires_at, family_expires_at, used, revoked`

func scanRefresh(row scanner) (token.RefreshRecord, error) {
	var (
		rec                    token.RefreshRecord
		scopes                 string
		issued, exp, familyExp int64
	)

	err := row.Scan(&rec.Hash, &rec.Family, &rec.Grant.Subject, &rec.Grant.ClientID,
		&rec.Grant.SessionID, &scopes, &issued, &exp, &familyExp, &rec.Used, &rec.Revoked)
	if err != nil {
		return rec, mapErr(err)
	}

	rec.Grant.Scopes = strings.Fields(scopes)
	rec.IssuedAt, rec.ExpiresAt, rec.FamilyExpiresAt = fromMS(issued), fromMS(exp),
		fromMS(familyExp)

	return rec, nil
}

func collectPairs(rows *sql.Rows) (map[string]string, error) {
	defer rows.Close()

	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, mapErr(err)
		}

		out[k] = v
	}

	return out, mapErr(rows.Err())
}
