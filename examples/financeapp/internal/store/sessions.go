package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
)

// RecordLoginAttempt records a sign-in attempt for rate limiting and lockout.
func (s *Store) RecordLoginAttempt(ctx context.Context, email string, ok bool,
	addr string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (email, success, address, at)
			VALUES ($1, $2, $3, $4)`, email, ok, addr, ms(s.now()))

		return mapErr(err)
	})
}

// FailedLogins counts the failed attempts for email since the later of since
// and its last successful sign-in.
func (s *Store) FailedLogins(ctx context.Context, email string, since time.Time) (int, error) {
	var n int

	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts
		WHERE email = $1 AND success = $2 AND at >= $3 AND at > COALESCE(
			(SELECT MAX(at) FROM login_attempts WHERE email = $1 AND success = $4), 0)`,
		email, false, ms(since), true).Scan(&n)

	return n, mapErr(err)
}

// ClearFailedLogins forgets the failed sign-ins of email, which unlocks the
// account: an admin has dealt with the brute force behind them. The audit
// trail and the session log keep their record.
func (s *Store) ClearFailedLogins(ctx context.Context, email string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_attempts
			WHERE email = $1 AND success = $2`, email, false)

		return err
	})
}

// CreateSession records a new sign-in session and a login line in the
// session log. Its refresh tokens live in the RefreshStore.
func (s *Store) CreateSession(ctx context.Context, sess domain.Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id, user_id, auth_methods, address, user_agent, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			sess.ID, sess.UserID, strings.Join(sess.AuthMethods, " "), sess.Address,
			sess.UserAgent, ms(sess.CreatedAt), ms(sess.ExpiresAt))
		if err != nil {
			return mapErr(err)
		}

		return logEvent(ctx, tx, sess.UserID, sess.ID, domain.EventLogin,
			sess.Address, sess.UserAgent, s.now())
	})
}

// revokeSession revokes session sid of userID and its refresh tokens, and
// logs event.
func (s *Store) revokeSession(ctx context.Context, tx *sql.Tx, userID, sid, event, addr,
	agent string) error {
	now := s.now()

	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $2
		WHERE id = $1 AND revoked_at IS NULL`, sid, ms(now)); err != nil {
		return mapErr(err)
	}

	if _, err := tx.ExecContext(ctx, `UPDATE refresh_records SET revoked = $2
		WHERE session_id = $1`, sid, true); err != nil {
		return mapErr(err)
	}

	return logEvent(ctx, tx, userID, sid, event, addr, agent, now)
}

const sessionCols = `id, user_id, auth_methods, address, user_agent, created_at,
	expires_at, revoked_at`

func scanSession(r scanner) (domain.Session, error) {
	var (
		sess         domain.Session
		amr          string
		created, exp int64
		revoked      sql.NullInt64
	)

	err := r.Scan(&sess.ID, &sess.UserID, &amr, &sess.Address, &sess.UserAgent,
		&created, &exp, &revoked)
	sess.AuthMethods = strings.Fields(amr)
	sess.CreatedAt, sess.ExpiresAt = fromMS(created), fromMS(exp)
	sess.RevokedAt = fromNullMS(revoked)

	return sess, mapErr(err)
}

// Session returns a session by ID.
func (s *Store) Session(ctx context.Context, id string) (domain.Session, error) {
	return scanSession(s.db.QueryRowContext(ctx,
		`SELECT `+sessionCols+` FROM sessions WHERE id = $1`, id))
}

// Sessions lists a user's sessions, newest first.
func (s *Store) Sessions(ctx context.Context, userID string) ([]domain.Session, error) {
	return s.querySessions(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
}

func (s *Store) querySessions(ctx context.Context, q string, args ...any) ([]domain.Session, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	out := []domain.Session{}
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, err
		}

		out = append(out, sess)
	}

	return out, mapErr(rows.Err())
}

// RevokeSessions revokes the given session of userID, or every live session of
// userID when sid is empty, with their refresh tokens, logging event for each. It returns the IDs revoked.
func (s *Store) RevokeSessions(ctx context.Context, userID, sid, event, addr,
	agent string) ([]string, error) {
	var ids []string

	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM sessions
			WHERE user_id = $1 AND ($2 = '' OR id = $2) AND revoked_at IS NULL`, userID, sid)
		if err != nil {
			return mapErr(err)
		}

		ids, err = collectStrings(rows)
		if err != nil {
			return err
		}

		for _, id := range ids {
			if err := s.revokeSession(ctx, tx, userID, id, event, addr, agent); err != nil {
				return err
			}
		}

		return nil
	})

	return ids, err
}

func collectStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()

	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, mapErr(err)
		}

		out = append(out, v)
	}

	return out, mapErr(rows.Err())
}

// LogSessionEvent appends a line to a user's session log.
func (s *Store) LogSessionEvent(ctx context.Context, userID, sid, event, addr,
	agent string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return logEvent(ctx, tx, userID, sid, event, addr, agent, s.now())
	})
}

func logEvent(ctx context.Context, tx *sql.Tx, userID, sid, event, addr, agent string,
	at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO session_log
		(user_id, session_id, event, address, user_agent, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, userID, sid, event, addr, agent, ms(at))

	return mapErr(err)
}

// SessionLog returns a user's session log, newest first, at most limit lines;
// an empty userID returns every user's.
func (s *Store) SessionLog(ctx context.Context, userID string,
	limit int) ([]domain.SessionEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, session_id, event, address,
		user_agent, at FROM session_log WHERE ($1 = '' OR user_id = $1)
		ORDER BY at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()

	out := []domain.SessionEvent{}
	for rows.Next() {
		var (
			e  domain.SessionEvent
			at int64
		)

		if err := rows.Scan(&e.ID, &e.UserID, &e.SessionID, &e.Event, &e.Address,
			&e.UserAgent, &at); err != nil {
			return nil, mapErr(err)
		}

		e.At = fromMS(at)
		out = append(out, e)
	}

	return out, mapErr(rows.Err())
}

// RevokedSessions lists the sessions revoked before they expired and not
// yet expired, so that services in other processes can refuse their tokens.
func (s *Store) RevokedSessions(ctx context.Context) ([]domain.Session, error) {
	return s.querySessions(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE revoked_at IS NOT NULL AND expires_at > $1`, ms(s.now()))
}

// ChangePassword replaces userID's password hash and revokes every live
// session of the user but keep, with their refresh tokens, in one
// transaction. It returns the IDs revoked.
func (s *Store) ChangePassword(ctx context.Context, userID, keep, hash, addr,
	agent string) ([]string, error) {
	var ids []string

	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE credentials SET password_hash = $2 WHERE user_id = $1`, userID, hash)
		if err := affected(res, err); err != nil {
			return err
		}

		rows, err := tx.QueryContext(ctx, `SELECT id FROM sessions
			WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`, userID, keep)
		if err != nil {
			return mapErr(err)
		}

		if ids, err = collectStrings(rows); err != nil {
			return err
		}

		for _, id := range ids {
			if err := s.revokeSession(ctx, tx, userID, id, domain.EventRevoke, addr,
				agent); err != nil {
				return err
			}
		}

		return logEvent(ctx, tx, userID, keep, domain.EventPasswordChange, addr, agent, s.now())
	})

	return ids, err
}

// DisableTOTP removes userID's TOTP secret and logs it; ErrNotFound when
// TOTP is not enabled.
func (s *Store) DisableTOTP(ctx context.Context, userID, sid, addr, agent string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET totp_secret = NULL,
			totp_enabled = $2 WHERE user_id = $1 AND totp_enabled = $3`, userID, false, true)
		if err := affected(res, err); err != nil {
			return err
		}

		return logEvent(ctx, tx, userID, sid, domain.EventTOTPDisabled, addr, agent, s.now())
	})
}
