-- Sessions, refresh tokens (hashed), and the login record of every attempt.

ALTER TABLE users ADD COLUMN last_login_at INTEGER;

CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY NOT NULL,
    organization_id    TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL,
    application_id     TEXT,
    created_at         INTEGER NOT NULL,
    last_active_at     INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    revoked_at         INTEGER,
    ip                 TEXT,
    country            TEXT,
    region             TEXT,
    city               TEXT,
    timezone           TEXT,
    user_agent         TEXT,
    device_name        TEXT,
    device_type        TEXT,
    device_description TEXT,
    -- JSON array of the authentication methods used.
    methods            TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX sessions_by_user ON sessions(organization_id, user_id, created_at);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token, hex; the token itself is never stored.
    token_hash  TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    -- Set when the token is exchanged; a second exchange is reuse.
    used_at     INTEGER,
    replaced_by TEXT
) STRICT;
CREATE INDEX refresh_tokens_by_session ON refresh_tokens(session_id);

-- No foreign key to users: records outlive deleted users, keyed by their id.
CREATE TABLE login_records (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id    TEXT NOT NULL,
    application_id     TEXT,
    created_at         INTEGER NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    method             TEXT NOT NULL,
    failure_reason     TEXT,
    user_id            TEXT,
    login_id           TEXT NOT NULL,
    session_id         TEXT,
    ip                 TEXT,
    country            TEXT,
    region             TEXT,
    city               TEXT,
    timezone           TEXT,
    user_agent         TEXT,
    device_name        TEXT,
    device_type        TEXT,
    device_description TEXT
) STRICT;
CREATE INDEX login_records_by_user ON login_records(organization_id, user_id, id);
CREATE INDEX login_records_by_org ON login_records(organization_id, id);
