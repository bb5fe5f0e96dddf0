-- The identity-provider connection of a single sign-on, on its session and its login record
-- (core::model::Session::connection_id, LoginRecord::connection_id; NULL for other methods).
-- A record's connection is part of its chain hash (core::records::chain) when present.
ALTER TABLE sessions ADD COLUMN connection_id TEXT;
ALTER TABLE login_records ADD COLUMN connection_id TEXT;
