// Package store keeps the ZeroSMS backend's state in SQLite (modernc.org/sqlite,
// no cgo): enrolled devices with their public keys and revocation, the history
// of their posture reports, the delegated platform session each device
// forwards drafts with, and every uploaded message with what the backend made
// of it. It backs the upload ledger, so that idempotency survives a restart.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/ztkit/ztkit/examples/internal/seal"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

// ErrNotFound is returned for a device or message that does not exist, or
// that belongs to another user.
var ErrNotFound = errors.New("store: not found")

// ErrKeyInUse is returned when a device key is already enrolled.
var ErrKeyInUse = errors.New("store: device key already enrolled")

// MaxPostureHistory bounds the posture reports kept per device.
const MaxPostureHistory = 100

const schema = `
CREATE TABLE IF NOT EXISTS devices (
	id            TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	name          TEXT NOT NULL,
	jkt           TEXT NOT NULL UNIQUE,
	jwk           TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	revoked_at    INTEGER,
	refresh_token TEXT NOT NULL DEFAULT '',
	access_token  TEXT NOT NULL DEFAULT '',
	access_exp    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS devices_user ON devices(user_id);
CREATE TABLE IF NOT EXISTS postures (
	device_id   TEXT NOT NULL REFERENCES devices(id),
	n           INTEGER NOT NULL,
	report      TEXT NOT NULL,
	PRIMARY KEY (device_id, n)
);
CREATE TABLE IF NOT EXISTS messages (
	device_id   TEXT NOT NULL REFERENCES devices(id),
	client_id   TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	sender      TEXT NOT NULL,
	body        TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	stored_at   INTEGER NOT NULL,
	outcome     TEXT NOT NULL DEFAULT '{}',
	PRIMARY KEY (device_id, client_id)
);
CREATE INDEX IF NOT EXISTS messages_seq ON messages(device_id, seq);
`

// Store is the backend's database. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	sealer *seal.Sealer
}

// Open opens (creating if needed) the SQLite database at path and brings
// its schema up to date. The delegated platform sessions are sealed with
// sealer before they are written.
func Open(ctx context.Context, path string, sealer *seal.Sealer) (*Store, error) {
	if sealer == nil {
		return nil, errors.New("store: a sealer is required for the delegated sessions")
	}

	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}

	db.SetMaxOpenConns(1)

	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: schema: %w", err)
	}

	return &Store{db: db, sealer: sealer}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Device is an enrolled device.
type Device struct {
	// ID is the backend's identifier of the device.
	ID string `json:"id"`

	// UserID is the platform user who enrolled it.
	UserID string `json:"user_id"`

	// Name is the user's label for the device.
	Name string `json:"name"`

	// JKT is the RFC 7638 thumbprint of the device's public key.
	JKT string `json:"jkt"`

	// JWK is the device's public key as a JSON Web Key.
	JWK json.RawMessage `json:"jwk"`

	// CreatedAt is when it was enrolled.
	CreatedAt time.Time `json:"created_at"`

	// RevokedAt is when it was revoked; nil while it is active.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`

	// Posture is its latest posture report.
	Posture device.Posture `json:"posture"`
}

// Delegation is the platform session a device forwards drafts with: a
// refresh token and the latest access token obtained from it. Both are
// secrets: they are never returned by the API, and the database holds them
// sealed (AES-256-GCM, each bound to its device and column), so that a copy
// of the database file without the key gives no session away.
type Delegation struct {
	RefreshToken string
	AccessToken  string
	AccessExp    time.Time
}

// CreateDevice records a new device with its first posture report and its
// delegated platform session.
func (s *Store) CreateDevice(ctx context.Context, d *Device, del Delegation) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE jkt = ?`,
		d.JKT).Scan(&n); err != nil {
		return fmt.Errorf("store: %w", err)
	}

	if n > 0 {
		return ErrKeyInUse
	}

	_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, user_id, name, jkt, jwk,
		created_at, refresh_token, access_token, access_exp) VALUES (?,?,?,?,?,?,?,?,?)`,
		d.ID, d.UserID, d.Name, d.JKT, string(d.JWK), d.CreatedAt.UnixNano(),
		s.seal(d.ID, "refresh_token", del.RefreshToken),
		s.seal(d.ID, "access_token", del.AccessToken), del.AccessExp.UnixNano())
	if err != nil {
		return fmt.Errorf("store: create device: %w", err)
	}

	if err := addPosture(ctx, tx, d.ID, d.Posture); err != nil {
		return err
	}

	return commit(tx)
}

func commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}

	return nil
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func addPosture(ctx context.Context, tx execer, id string, p device.Posture) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: posture: %w", err)
	}

	_, err = tx.ExecContext(ctx, `INSERT INTO postures (device_id, n, report)
		VALUES (?, (SELECT coalesce(max(n), 0) + 1 FROM postures WHERE device_id = ?), ?)`,
		id, id, string(b))
	if err != nil {
		return fmt.Errorf("store: posture: %w", err)
	}

	_, err = tx.ExecContext(ctx, `DELETE FROM postures WHERE device_id = ? AND n <=
		(SELECT max(n) FROM postures WHERE device_id = ?) - ?`, id, id, MaxPostureHistory)
	if err != nil {
		return fmt.Errorf("store: posture history: %w", err)
	}

	return nil
}

// ReportPosture appends a posture report to a device's history. A report
// older than the latest is refused (device.ErrInvalidPosture), so that a
// replayed report cannot hide a newer one.
func (s *Store) ReportPosture(ctx context.Context, id string, p device.Posture) error {
	if err := p.Validate(); err != nil {
		return err
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	last, err := latestPosture(ctx, tx, id)
	if err != nil {
		return err
	}

	if p.ReportedAt.Before(last.ReportedAt) {
		return fmt.Errorf("%w: report older than the latest", device.ErrInvalidPosture)
	}

	if err := addPosture(ctx, tx, id, p); err != nil {
		return err
	}

	return commit(tx)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func latestPosture(ctx context.Context, q querier, id string) (device.Posture, error) {
	var (
		raw string
		p   device.Posture
	)

	err := q.QueryRowContext(ctx, `SELECT report FROM postures WHERE device_id = ?
		ORDER BY n DESC LIMIT 1`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}

	if err != nil {
		return p, fmt.Errorf("store: posture: %w", err)
	}

	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("store: posture: %w", err)
	}

	return p, nil
}

// PostureHistory returns a device's posture reports, oldest first.
func (s *Store) PostureHistory(ctx context.Context, id string) ([]device.Posture, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT report FROM postures WHERE device_id = ?
		ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("store: postures: %w", err)
	}
	defer rows.Close()

	var out []device.Posture

	for rows.Next() {
		var (
			raw string
			p   device.Posture
		)

		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("store: postures: %w", err)
		}

		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, fmt.Errorf("store: postures: %w", err)
		}

		out = append(out, p)
	}

	return out, rows.Err()
}

const deviceColumns = `id, user_id, name, jkt, jwk, created_at, revoked_at`

func scanDevice(sc interface{ Scan(...any) error }) (*Device, error) {
	var (
		d       Device
		jwk     string
		created int64
		revoked sql.NullInt64
	)

	if err := sc.Scan(&d.ID, &d.UserID, &d.Name, &d.JKT, &jwk, &created, &revoked); err != nil {
		return nil, err
	}

	d.JWK, d.CreatedAt = json.RawMessage(jwk), time.Unix(0, created).UTC()
	if revoked.Valid {
		t := time.Unix(0, revoked.Int64).UTC()
		d.RevokedAt = &t
	}

	return &d, nil
}

// Device returns a device with its latest posture.
func (s *Store) Device(ctx context.Context, id string) (*Device, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id)

	d, err := scanDevice(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}

	if err != nil {
		return nil, fmt.Errorf("store: device: %w", err)
	}

	if d.Posture, err = latestPosture(ctx, s.db, id); err != nil {
		return nil, err
	}

	return d, nil
}

// Devices returns a user's devices, oldest first, with their latest posture.
func (s *Store) Devices(ctx context.Context, userID string) ([]*Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: devices: %w", err)
	}

	var out []*Device

	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("store: devices: %w", err)
		}

		out = append(out, d)
	}

	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: devices: %w", err)
	}

	for _, d := range out {
		if d.Posture, err = latestPosture(ctx, s.db, d.ID); err != nil {
			return nil, err
		}
	}

	return out, nil
}

// RevokeDevice marks a user's device revoked and forgets its delegated
// session. Revoking a revoked device changes nothing.
func (s *Store) RevokeDevice(ctx context.Context, userID, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE devices SET
		revoked_at = coalesce(revoked_at, ?), refresh_token = '', access_token = ''
		WHERE id = ? AND user_id = ?`, at.UnixNano(), id, userID)
	if err != nil {
		return fmt.Errorf("store: revoke: %w", err)
	}

	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}

	return nil
}

// RevokedDevices returns the ids of every revoked device.
func (s *Store) RevokedDevices(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM devices WHERE revoked_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: revoked: %w", err)
	}
	defer rows.Close()

	var out []string

	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: revoked: %w", err)
		}

		out = append(out, id)
	}

	return out, rows.Err()
}

// Delegation returns a device's delegated platform session.
func (s *Store) Delegation(ctx context.Context, id string) (Delegation, error) {
	var (
		d               Delegation
		refresh, access string
		exp             int64
	)

	err := s.db.QueryRowContext(ctx, `SELECT refresh_token, access_token, access_exp
		FROM devices WHERE id = ? AND revoked_at IS NULL`, id).
		Scan(&refresh, &access, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}

	if err != nil {
		return d, fmt.Errorf("store: delegation: %w", err)
	}

	if d.RefreshToken, err = s.open(id, "refresh_token", refresh); err != nil {
		return Delegation{}, err
	}

	if d.AccessToken, err = s.open(id, "access_token", access); err != nil {
		return Delegation{}, err
	}

	d.AccessExp = time.Unix(0, exp)

	return d, nil
}

// seal seals a secret of device id's column for the database.
func (s *Store) seal(id, column, secret string) string {
	return s.sealer.Seal("zerosms/devices/"+id+"/"+column, secret)
}

// open opens a secret that seal wrote. The empty value (the column's
// default) opens as empty; anything else that does not open (another key,
// another row's value, a value written in clear) is an error that matches
// seal.ErrUnsealed: the device must be enrolled again.
func (s *Store) open(id, column, value string) (string, error) {
	if value == "" {
		return "", nil
	}

	secret, err := s.sealer.Open("zerosms/devices/"+id+"/"+column, value)
	if err != nil {
		return "", fmt.Errorf("store: %s of device %s: %w", column, id, err)
	}

	return secret, nil
}

// SetDelegation replaces a device's delegated session after a refresh.
func (s *Store) SetDelegation(ctx context.Context, id string, d Delegation) error {
	_, err := s.db.ExecContext(ctx, `UPDATE devices SET refresh_token = ?,
		access_token = ?, access_exp = ? WHERE id = ? AND revoked_at IS NULL`,
		s.seal(id, "refresh_token", d.RefreshToken), s.seal(id, "access_token", d.AccessToken),
		d.AccessExp.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("store: delegation: %w", err)
	}

	return nil
}

// AddMessages stores the accepted messages of a batch; the upload ledger
// calls it (upload.Ledger.Store).
func (s *Store) AddMessages(ctx context.Context, deviceID string, msgs []upload.Message) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	now := time.Now().UnixNano()

	for i := range msgs {
		m := &msgs[i]

		_, err := tx.ExecContext(ctx, `INSERT INTO messages (device_id, client_id, seq,
			sender, body, received_at, stored_at) VALUES (?,?,?,?,?,?,?)`,
			deviceID, m.ClientID, int64(m.Seq), m.Sender, m.Body, m.ReceivedAt.UnixNano(), now)
		if err != nil {
			return fmt.Errorf("store: message: %w", err)
		}
	}

	return commit(tx)
}

// LoadMessages returns every message stored for a device; the upload
// ledger calls it (upload.Ledger.Load).
func (s *Store) LoadMessages(ctx context.Context, deviceID string) ([]upload.Message, error) {
	list, err := s.Messages(ctx, deviceID)
	if err != nil {
		return nil, err
	}

	out := make([]upload.Message, len(list))
	for i, m := range list {
		out[i] = m.Message
	}

	return out, nil
}
