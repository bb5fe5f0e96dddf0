-- Login-record totals without counting the records: per organization, per user, per
-- application and per both, each by outcome. '' in user_id or application_id stands for
-- "any". worker/src/d1/records.rs keeps them in the same batch as every record's insert and
-- every prune's delete, so they stay exact; a total asked with any other filter is counted.
CREATE TABLE record_totals (
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id, application_id, outcome)
) STRICT, WITHOUT ROWID;

-- The records already kept, counted once under each of their four keys.
INSERT INTO record_totals (organization_id, user_id, application_id, outcome, n)
SELECT r.organization_id,
       CASE WHEN k.by_user THEN r.user_id ELSE '' END,
       CASE WHEN k.by_app THEN r.application_id ELSE '' END,
       r.outcome, COUNT(*)
FROM login_records r,
     (SELECT 0 AS by_user, 0 AS by_app UNION ALL SELECT 1, 0 UNION ALL SELECT 0, 1 UNION ALL SELECT 1, 1) k
WHERE (NOT k.by_user OR r.user_id IS NOT NULL) AND (NOT k.by_app OR r.application_id IS NOT NULL)
GROUP BY 1, 2, 3, 4;
