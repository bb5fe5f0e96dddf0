-- Location details from the edge and the risk signals of each successful login.
ALTER TABLE login_records ADD COLUMN asn INTEGER;
ALTER TABLE login_records ADD COLUMN latitude_e6 INTEGER;
ALTER TABLE login_records ADD COLUMN longitude_e6 INTEGER;
-- JSON array: new_device, new_country, impossible_travel.
ALTER TABLE login_records ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sessions ADD COLUMN asn INTEGER;
ALTER TABLE sessions ADD COLUMN latitude_e6 INTEGER;
ALTER TABLE sessions ADD COLUMN longitude_e6 INTEGER;
