-- Tamper evidence for login records. Every record gets a per-organization sequence number,
-- assigned inside its own INSERT (so concurrent logins can never share or skip one), and the
-- SHA-256 of its canonical fields. The chain hash over the ordered row hashes is sealed into
-- checkpoints by the cron; verification recomputes both and reports the first broken link.
ALTER TABLE login_records ADD COLUMN chain_seq INTEGER;
ALTER TABLE login_records ADD COLUMN row_hash TEXT;
CREATE UNIQUE INDEX login_records_chain ON login_records(organization_id, chain_seq);

CREATE TABLE record_checkpoints (
    organization_id TEXT NOT NULL,
    -- The chain hash through this sequence number.
    seq             INTEGER NOT NULL,
    chain_hash      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, seq)
) STRICT;
