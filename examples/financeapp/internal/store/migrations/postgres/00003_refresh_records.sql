-- +goose Up
-- Refresh tokens as zt/token's RefreshTokens keeps them: one row per token
-- (its SHA-256 only), grouped in families; reuse of a used token revokes
-- the family. Tokens of the earlier table cannot be carried over (they lack
-- a family): their sessions must sign in again.
DROP TABLE refresh_tokens;

CREATE TABLE refresh_records (
    hash              TEXT PRIMARY KEY,
    family            TEXT NOT NULL,
    subject           TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    session_id        TEXT NOT NULL,
    scopes            TEXT NOT NULL,
    issued_at         BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    family_expires_at BIGINT NOT NULL,
    used              BOOLEAN NOT NULL DEFAULT FALSE,
    revoked           BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_records_family ON refresh_records (family);
CREATE INDEX refresh_records_session ON refresh_records (session_id);

-- +goose Down
DROP TABLE refresh_records;

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
