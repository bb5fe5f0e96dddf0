-- Security events (core/src/events): lockouts, breached passwords, refresh-token reuse,
-- risky logins and administrative changes, with their webhook delivery state.
CREATE TABLE security_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    actor           TEXT,
    user_id         TEXT,
    ip              TEXT,
    detail          TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX security_events_by_org ON security_events (organization_id, id);
CREATE INDEX security_events_by_kind ON security_events (organization_id, kind, id);
-- Only pending rows carry a next attempt: the deliverer's scan reads this index alone.
CREATE INDEX security_events_due ON security_events (next_attempt_at) WHERE delivery = 'pending';

-- Each organization's webhook. Its signing secret is derived from the WEBHOOK_KEY secret, the
-- organization and the version, so nothing secret is stored; a new URL bumps the version.
CREATE TABLE webhooks (
    organization_id TEXT PRIMARY KEY NOT NULL,
    url             TEXT NOT NULL,
    version         INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- What a successful password login does with a breached password: off, flag, require_change.
ALTER TABLE organizations ADD COLUMN bf_breached_at_login TEXT NOT NULL DEFAULT 'flag';
