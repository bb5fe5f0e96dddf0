-- Organizations' own message templates (core::model::MessageTemplate), one per kind at most;
-- a kind without a row is sent with the shipped default.
CREATE TABLE message_templates (
    organization_id TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text            TEXT NOT NULL,
    html            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, kind)
) STRICT;
