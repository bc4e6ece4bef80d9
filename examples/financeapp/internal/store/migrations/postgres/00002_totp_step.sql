-- +goose Up
-- The last TOTP time step accepted for a user, so that a code is used once.
ALTER TABLE credentials ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE credentials DROP COLUMN totp_last_step;
