-- How long each organization keeps login records (a cron prunes older ones in batches).
ALTER TABLE organizations ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 90
    CHECK (retention_days BETWEEN 1 AND 3650);
