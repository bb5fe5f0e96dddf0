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
