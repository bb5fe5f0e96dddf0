-- Multi-factor authentication (core/src/authn/mfa): each application's settings, users'
-- factors and backup codes. MFA tokens and trusted devices are one_time_codes rows (stored
-- hashed); an MFA token's wrong codes are counted on its row, so it can be voided.
ALTER TABLE applications ADD COLUMN mfa TEXT NOT NULL
    DEFAULT '{"policy":"optional","trust_days":30,"passkey_satisfies":true}';
ALTER TABLE one_time_codes ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE TABLE mfa_factors (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- AES-GCM under MFA_KEY, bound to the factor's id and user: "v1.<key id>.<base64url>".
    secret          TEXT NOT NULL,
    confirmed_at    INTEGER,
    -- The last TOTP step that verified; a code of it or an earlier step never verifies again.
    last_used_step  INTEGER,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
) STRICT;
CREATE INDEX mfa_factors_by_user ON mfa_factors (organization_id, user_id, created_at);

-- Backup codes: HMAC-SHA-256 under a key derived from MFA_KEY (50-bit codes are too short
-- for a plain hash to resist a stolen table), each deleted when used.
CREATE TABLE mfa_backup_codes (
    code_hash       TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX mfa_backup_codes_by_user ON mfa_backup_codes (organization_id, user_id);
