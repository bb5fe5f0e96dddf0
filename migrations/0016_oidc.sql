-- OpenID provider: a client's session (begun from the hosted page's session, its parent)
-- keeps the scopes it was granted through refreshes; confidential clients' secrets are kept
-- only as SHA-256 hashes.
ALTER TABLE sessions ADD COLUMN scope TEXT;
ALTER TABLE sessions ADD COLUMN parent_id TEXT;
ALTER TABLE applications ADD COLUMN client_secret_hash TEXT;
