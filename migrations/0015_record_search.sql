-- The administrators' search and the dashboard's counts: records of any outcome in a time
-- window, newest first.
CREATE INDEX login_records_by_org_time ON login_records(organization_id, created_at);
