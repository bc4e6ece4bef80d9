package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

const draftCols = `id, owner_id, source_id, payload, flags, status,
	COALESCE(transaction_id, ''), created_at`

func scanDraft(r scanner) (domain.Draft, error) {
	var (
		d              domain.Draft
		payload, flags string
		created        int64
	)

	err := r.Scan(&d.ID, &d.OwnerID, &d.SourceID, &payload, &flags, &d.Status,
		&d.TransactionID, &created)
	if err != nil {
		return d, mapErr(err)
	}

	d.Flags, d.CreatedAt = strings.Fields(flags), fromMS(created)
	if err := json.Unmarshal([]byte(payload), &d.Transaction); err != nil {
		return d, fmt.Errorf("store: draft payload: %w", err)
	}

	return d, nil
}

// CreateDraft records a parsed SMS transaction as a pending draft of owner.
// It is idempotent on (owner, source ID): a repeat returns the first draft and
// created false.
func (s *Store) CreateDraft(ctx context.Context, owner, sourceID string,
	in domain.TransactionInput, flags []string) (d domain.Draft, created bool, err error) {
	payload, err := json.Marshal(in)
	if err != nil {
		return d, false, fmt.Errorf("store: draft payload: %w", err)
	}

	d = domain.Draft{ID: NewID(), OwnerID: owner, SourceID: sourceID, Transaction: in,
		Flags: flags, Status: domain.DraftPending, CreatedAt: fromMS(ms(s.now()))}

	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sms_drafts (id, owner_id, source_id,
			payload, flags, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (owner_id, source_id) DO NOTHING`, d.ID, owner, sourceID,
			string(payload), strings.Join(flags, " "), string(d.Status), ms(d.CreatedAt))
		if err != nil {
			return mapErr(err)
		}

		n, err := res.RowsAffected()
		created = n == 1

		return err
	})
	if err != nil || created {
		return d, created, err
	}

	d, err = scanDraft(s.db.QueryRowContext(ctx, `SELECT `+draftCols+` FROM sms_drafts
		WHERE owner_id = $1 AND source_id = $2`, owner, sourceID))

	return d, false, err
}

// Drafts lists owner's drafts in a status (all when empty), newest first.
func (s *Store) Drafts(ctx context.Context, owner string,
	status domain.DraftStatus) ([]domain.Draft, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+draftCols+` FROM sms_drafts
		WHERE owner_id = $1 AND ($2 = '' OR status = $2)
		ORDER BY created_at DESC, id`, owner, string(status))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	out := []domain.Draft{}
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, err
		}

		out = append(out, d)
	}

	return out, mapErr(rows.Err())
}

// ConfirmDraft turns a pending draft of owner into a transaction, with the
// owner's corrections in in, in one database transaction.
func (s *Store) ConfirmDraft(ctx context.Context, owner, id string,
	in domain.TransactionInput) (domain.Transaction, error) {
	var t domain.Transaction

	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.insertTx(ctx, tx, owner, in); err != nil {
			return err
		}

		res, err := tx.ExecContext(ctx, `UPDATE sms_drafts SET status = 'confirmed',
			transaction_id = $3 WHERE id = $1 AND owner_id = $2 AND status = 'pending'`,
			id, owner, t.ID)

		return affected(res, err)
	})

	return t, err
}

// DiscardDraft marks a pending draft of owner as discarded.
func (s *Store) DiscardDraft(ctx context.Context, owner, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sms_drafts SET status = 'discarded'
			WHERE id = $1 AND owner_id = $2 AND status = 'pending'`, id, owner)

		return affected(res, err)
	})
}

// Draft returns one draft of owner.
func (s *Store) Draft(ctx context.Context, owner, id string) (domain.Draft, error) {
	return scanDraft(s.db.QueryRowContext(ctx, `SELECT `+draftCols+` FROM sms_drafts
		WHERE id = $1 AND owner_id = $2`, id, owner))
}

// DraftOwner returns whose draft it is, for policy hooks.
func (s *Store) DraftOwner(ctx context.Context, id string) (string, error) {
	var owner string
	err := s.db.QueryRowContext(ctx, `SELECT owner_id FROM sms_drafts WHERE id = $1`, id).
		Scan(&owner)

	return owner, mapErr(err)
}
