-- API keys record who made them and may expire.
ALTER TABLE api_keys ADD COLUMN created_by TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;

-- Applications: self sign-up is opt-in; `admin_api` applications get tokens for Latchkey's
-- own administrative API (their audience is the issuer's API, not the client id).
ALTER TABLE applications ADD COLUMN self_signup INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN admin_api INTEGER NOT NULL DEFAULT 0;
