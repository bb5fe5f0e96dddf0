-- Identity core: application settings, user credentials, roles, permissions, API keys.
-- Deletes are explicit in the stores (children first); the foreign keys guard integrity.

ALTER TABLE applications ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN access_token_ttl_secs INTEGER NOT NULL DEFAULT 600;
ALTER TABLE applications ADD COLUMN refresh_token_ttl_secs INTEGER NOT NULL DEFAULT 2592000;
ALTER TABLE applications ADD COLUMN login_methods TEXT NOT NULL DEFAULT '["password"]';

ALTER TABLE users ADD COLUMN username TEXT;
ALTER TABLE users ADD COLUMN name TEXT;
-- argon2id PHC string; NULL for users without a password.
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_username ON users(organization_id, username) WHERE username IS NOT NULL;
CREATE INDEX users_by_org_status ON users(organization_id, status, id);

CREATE TABLE roles (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (organization_id, name)
) STRICT;

CREATE TABLE permissions (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (organization_id, name)
) STRICT;

CREATE TABLE role_permissions (
    role_id       TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission_id TEXT NOT NULL REFERENCES permissions(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
) STRICT;
CREATE INDEX role_permissions_by_permission ON role_permissions(permission_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
) STRICT;
CREATE INDEX user_roles_by_role ON user_roles(role_id);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- Public part of the key, to find the row; the key itself is never stored.
    prefix          TEXT NOT NULL UNIQUE,
    -- SHA-256 of the whole key, hex.
    key_hash        TEXT NOT NULL,
    -- JSON array of permission names the key holds; NULL for all.
    permissions     TEXT,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX api_keys_by_org ON api_keys(organization_id, id);
