-- Login states of seed 003: registrations (202), required password change (203),
-- account expiry (410); and single-use codes, stored hashed.

ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0
    CHECK (password_change_required IN (0, 1));
ALTER TABLE users ADD COLUMN expires_at INTEGER;

CREATE TABLE registrations (
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, application_id)
) STRICT;
CREATE INDEX registrations_by_application ON registrations(application_id);

-- Consumed with DELETE ... RETURNING, so a code works once even under a race.
CREATE TABLE one_time_codes (
    code_hash       TEXT PRIMARY KEY NOT NULL,
    purpose         TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    -- What the code carries (JSON), e.g. an authorization code's client, redirect URI,
    -- PKCE challenge and session.
    data            TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX one_time_codes_by_user ON one_time_codes(user_id);
