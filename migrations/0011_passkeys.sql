-- Passkeys (core/src/authn/passkey): each application's relying-party settings and users'
-- WebAuthn credentials. Ceremony challenges are one_time_codes rows (stored hashed,
-- consumed with DELETE ... RETURNING); every cron run deletes the expired ones, by this index.
CREATE INDEX one_time_codes_by_expiry ON one_time_codes (expires_at);

ALTER TABLE applications ADD COLUMN passkey_rp_id TEXT;
ALTER TABLE applications ADD COLUMN passkey_user_verification TEXT NOT NULL DEFAULT 'required';

CREATE TABLE passkeys (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    -- base64url; unique everywhere, so one authenticator's credential is registered once.
    credential_id   TEXT NOT NULL UNIQUE,
    -- The COSE key as registered, base64url.
    public_key      TEXT NOT NULL,
    sign_count      INTEGER NOT NULL,
    rp_id           TEXT NOT NULL,
    name            TEXT NOT NULL,
    aaguid          TEXT NOT NULL,
    backup_eligible INTEGER NOT NULL,
    backup_state    INTEGER NOT NULL,
    attestation     TEXT NOT NULL,
    transports      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
) STRICT;
CREATE INDEX passkeys_by_user ON passkeys (organization_id, user_id, created_at);
