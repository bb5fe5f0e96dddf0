-- Passwordless sign-in (codes and links by email). Codes, links and their answers are
-- one_time_codes rows (stored hashed, consumed with DELETE ... RETURNING); sending limits
-- are attempt_counters rows.

-- How an organization's messages are delivered (core::model::Messaging, JSON); the
-- providers' keys are Worker secrets.
ALTER TABLE organizations ADD COLUMN messaging TEXT NOT NULL
    DEFAULT '{"email":"send_email","sms":"none"}';

-- What the worker sent, kept only where development overrides are enabled (the outbox page
-- of `make dev`, and the end-to-end tests). Never written in a deployed configuration.
CREATE TABLE dev_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text       TEXT NOT NULL,
    html       TEXT NOT NULL,
    provider   TEXT NOT NULL
) STRICT;

-- Password sign-ups and logins of the application need a verified email first.
ALTER TABLE applications ADD COLUMN require_verified_email INTEGER NOT NULL DEFAULT 0;

-- Users' mobile numbers (E.164), where SMS codes go: unique in an organization.
ALTER TABLE users ADD COLUMN phone TEXT;
CREATE UNIQUE INDEX users_phone ON users (organization_id, phone) WHERE phone IS NOT NULL;
