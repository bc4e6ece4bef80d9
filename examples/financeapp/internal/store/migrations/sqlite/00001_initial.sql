-- +goose Up
-- Times are Unix milliseconds (UTC); calendar dates are 'YYYY-MM-DD' text;
-- money is integer minor units with an ISO 4217 code.
CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'rejected')),
    role         TEXT CHECK (role IN ('admin', 'user', 'auditor')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK ((status = 'active') = (role IS NOT NULL))
);

CREATE TABLE credentials (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    totp_secret   TEXT,
    totp_enabled  INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    email      TEXT NOT NULL,
    success    INTEGER NOT NULL,
    address    TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX login_attempts_email_at ON login_attempts (email, at);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_methods TEXT NOT NULL,
    address      TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE session_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    event      TEXT NOT NULL,
    address    TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX session_log_user_at ON session_log (user_id, at);

CREATE TABLE transactions (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    payment_type TEXT NOT NULL CHECK (payment_type IN ('card', 'cash', 'upi')),
    category     TEXT NOT NULL CHECK (category IN ('expense', 'saving', 'investment')),
    description  TEXT NOT NULL,
    location     TEXT NOT NULL,
    date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX transactions_owner_date ON transactions (owner_id, date, id);

CREATE TABLE grants (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auditor_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL CHECK (scope IN ('all', 'date_range', 'categories')),
    date_from  TEXT NOT NULL DEFAULT '',
    date_to    TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL,
    CHECK (owner_id <> auditor_id)
);
CREATE INDEX grants_auditor ON grants (auditor_id);
CREATE INDEX grants_owner ON grants (owner_id);

CREATE TABLE sms_drafts (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id      TEXT NOT NULL,
    payload        TEXT NOT NULL,
    flags          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'discarded')),
    transaction_id TEXT,
    created_at     INTEGER NOT NULL,
    UNIQUE (owner_id, source_id)
);

-- +goose Down
DROP TABLE sms_drafts;
DROP TABLE grants;
DROP TABLE transactions;
DROP TABLE session_log;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE login_attempts;
DROP TABLE credentials;
DROP TABLE users;
