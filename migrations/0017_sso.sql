-- Single sign-on (core::authn::sso): an organization's identity-provider connections
-- (core::model::Connection; the client secret sealed under MFA_KEY) and the identities its
-- users have at them (core::model::Identity). Deleting a user, a connection or an
-- organization deletes their rows here explicitly, in the same batch.
CREATE TABLE connections (
    id                    TEXT PRIMARY KEY,
    organization_id       TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    issuer                TEXT NOT NULL,
    client_id             TEXT NOT NULL,
    client_secret_sealed  TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    domains               TEXT NOT NULL,
    link_policy           TEXT NOT NULL,
    enabled               INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX connections_by_org ON connections (organization_id, created_at);

CREATE TABLE identities (
    connection_id    TEXT NOT NULL,
    subject          TEXT NOT NULL,
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    email            TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    last_login_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, subject)
) STRICT;
CREATE INDEX identities_by_user ON identities (organization_id, user_id);
