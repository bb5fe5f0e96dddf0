-- API keys record who made them and may expire.
ALTER TABLE api_keys ADD COLUMN created_by TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;

-- Applications: self sign-up is opt-in; `admin_api` applications get tokens for Latchkey's
-- own administrative API (their audience is the issuer's API, not the client id).
ALTER TABLE applications ADD COLUMN self_signup INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN admin_api INTEGER NOT NULL DEFAULT 0;

-- Idle timeouts (ASVS 3.3.2): per application, copied onto each session; 0 for none. Existing
-- applications get the default, existing sessions none.
ALTER TABLE applications ADD COLUMN idle_timeout_secs INTEGER NOT NULL DEFAULT 259200;
ALTER TABLE sessions ADD COLUMN idle_timeout_ms INTEGER NOT NULL DEFAULT 0;

-- Login-record counters: the last sequence number issued per organization, which only
-- grows, and the first number whose row is keyed (HMAC under the CHAIN_KEY secret). Rows
-- and checkpoints from before this migration keep their unkeyed hashes and verify as such.
CREATE TABLE record_counters (
    organization_id TEXT PRIMARY KEY NOT NULL,
    last_seq        INTEGER NOT NULL,
    keyed_from      INTEGER NOT NULL
) STRICT;
INSERT INTO record_counters (organization_id, last_seq, keyed_from)
SELECT organization_id, MAX(seq), MAX(seq) + 1 FROM (
    SELECT organization_id, chain_seq AS seq FROM login_records WHERE chain_seq IS NOT NULL
    UNION ALL
    SELECT organization_id, seq FROM record_checkpoints
) GROUP BY organization_id;

-- Brute-force counters (core/src/authn/guard.rs): consecutive failures per key (a login id
-- from one address, a login id from anywhere), charged before a credential is checked.
CREATE TABLE attempt_counters (
    organization_id TEXT NOT NULL,
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_at         INTEGER NOT NULL,
    prev_at         INTEGER,
    PRIMARY KEY (organization_id, key)
) STRICT;

-- Each organization's brute-force and throttling policy (core/src/authn/guard.rs).
ALTER TABLE organizations ADD COLUMN bf_ip_failures INTEGER NOT NULL DEFAULT 10;
ALTER TABLE organizations ADD COLUMN bf_delay_after INTEGER NOT NULL DEFAULT 5;
ALTER TABLE organizations ADD COLUMN bf_account_failures INTEGER NOT NULL DEFAULT 100;
ALTER TABLE organizations ADD COLUMN bf_lock_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE organizations ADD COLUMN bf_address_failures INTEGER NOT NULL DEFAULT 100;

-- Bot detection: applications may require a Cloudflare Turnstile token with sign-ups and logins.
ALTER TABLE applications ADD COLUMN bot_protection INTEGER NOT NULL DEFAULT 0;
