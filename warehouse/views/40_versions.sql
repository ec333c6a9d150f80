-- The change feed for downstream rule stores (`payerkg export --format jsonl --since …`).
--
-- rule_events(since): one event per stable rule id touched by a build after build `since`: `upsert`
-- when an active document still states the rule (version_rule_id is its current row in
-- coverage_rules), `delete` when none does any more. `changes` lists what happened to it: the
-- changed fields, or added / removed.
CREATE OR REPLACE MACRO rule_events(since) AS TABLE
WITH touched AS (
    SELECT stable_id, max(build_id) AS build_id, arg_max(doc_key, build_id) AS doc_key,
           list(DISTINCT coalesce(field, change) ORDER BY coalesce(field, change)) AS changes
    FROM rule_changes
    WHERE build_id > since
    GROUP BY stable_id
),
live AS (
    SELECT s.stable_id, min(s.rule_id) AS rule_id
    FROM statements s JOIN documents d USING (doc_id)
    WHERE d.status = 'active'
    GROUP BY s.stable_id
)
SELECT CASE WHEN l.rule_id IS NULL THEN 'delete' ELSE 'upsert' END AS event,
       t.stable_id AS rule_id, t.build_id, t.doc_key, t.changes, l.rule_id AS version_rule_id
FROM touched t LEFT JOIN live l USING (stable_id)
ORDER BY t.build_id, t.stable_id;
