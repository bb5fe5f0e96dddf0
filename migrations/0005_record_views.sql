-- Indexes behind the login-record views: a user's history by outcome, newest first; and
-- searches across users by time, application or user.
DROP INDEX IF EXISTS login_records_by_user;
CREATE INDEX login_records_by_user ON login_records(organization_id, user_id, id);
CREATE INDEX login_records_by_user_outcome ON login_records(organization_id, user_id, outcome, id);
CREATE INDEX login_records_by_time ON login_records(organization_id, outcome, created_at);
CREATE INDEX login_records_by_app ON login_records(organization_id, application_id, outcome, created_at);
