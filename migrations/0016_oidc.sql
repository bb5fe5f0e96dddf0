-- OpenID Connect provider: the scopes a client was granted on a session (kept through
-- refreshes), and confidential clients' secrets, only as SHA-256 hashes.
ALTER TABLE sessions ADD COLUMN scope TEXT;
ALTER TABLE applications ADD COLUMN client_secret_hash TEXT;
