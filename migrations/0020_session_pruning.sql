-- Ended sessions leave with the organization's retention (core/src/records/retention.rs):
-- the daily cron deletes the sessions that ended (revoked, or expired) more than
-- `retention_days` ago, with their refresh tokens, in bounded batches. These indexes keep
-- that a range read rather than a scan of every session: the end of a session, as
-- worker/src/d1/sessions.rs (`prune_sessions`) writes it, and the parent of an OpenID
-- client's session, which keeps its parent until it is gone itself.
CREATE INDEX sessions_by_end ON sessions(organization_id, MIN(COALESCE(revoked_at, expires_at), expires_at));
CREATE INDEX sessions_by_parent ON sessions(parent_id) WHERE parent_id IS NOT NULL;
