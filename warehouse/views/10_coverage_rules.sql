-- The public contract (extract/model.py CONTRACT, docs/architecture.md): one row per vendor ×
-- service × line of business × segment statement of an active document. tests/test_contract.py
-- fails if these columns or their types drift from the contract.
--
-- Validity: each rule holds from its effective_from (NULL: since before anyone knows) until its
-- effective_to, the start of the first later dated rule for the same payer, service, line of
-- business and segment that ends it (rule_periods). A stated end reaches here as a scope `none`
-- rule dated the day after the end, and a vendor switch as the old vendor's scope `none` rule plus
-- the new vendor's rule on the same date, so both close the old vendor's rule. Which later rules
-- end a rule:
--   * a dated rule: any dated rule that starts after it (a switch ends the old vendor's rule);
--   * an undated rule, which holds at least on its document's own date (documents.published_on)
--     when that is known, so only rules starting after that date, and of those: the end of its own
--     vendor's role (a scope `none` rule of that vendor), a rule of a later version of its
--     document, or a rule of a document published after its own.
-- A superseded version's rules (with_history) are ended by the active rules and by rules of their
-- own or later versions of their document, never by an older version's; when nothing later ends one,
-- it ends when the version after it took over: that version's published_on, else the day it was
-- first built. Active rules are never ended by a superseded version's.
CREATE OR REPLACE MACRO rule_periods(with_history) AS TABLE
WITH docs AS (
    SELECT d.doc_id, d.doc_key, d.version, d.status, d.published_on
    FROM documents d
    WHERE d.status = 'active'
       OR (with_history AND d.status = 'superseded'
           AND d.doc_key IN (SELECT doc_key FROM documents WHERE status = 'active'))
),
rules AS (
    SELECT s.rule_id, s.payer, s.vendor, s.service, s.line_of_business, s.segment, s.scope, s.effective_from,
           d.doc_key, d.version, d.status, d.published_on
    FROM statements s JOIN docs d USING (doc_id)
),
ends AS (
    SELECT r.rule_id, min(l.effective_from) AS ended_on
    FROM rules r
    JOIN rules l
      ON l.payer = r.payer AND l.service = r.service AND l.line_of_business = r.line_of_business
     AND l.segment = r.segment AND l.effective_from IS NOT NULL AND l.rule_id <> r.rule_id
    WHERE (l.status = 'active' OR (l.doc_key = r.doc_key AND l.version >= r.version))
      AND CASE WHEN r.effective_from IS NOT NULL THEN l.effective_from > r.effective_from
               ELSE (r.published_on IS NULL OR l.effective_from > r.published_on)
                    AND ((l.scope = 'none' AND l.vendor = r.vendor)
                         OR (l.doc_key = r.doc_key AND l.version > r.version)
                         OR coalesce(l.published_on > r.published_on, false))
          END
    GROUP BY r.rule_id
),
took_over AS (
    SELECT d.doc_key, d.version - 1 AS version, coalesce(d.published_on, b.started_at::DATE) AS day
    FROM documents d JOIN builds b ON b.build_id = d.first_build
)
SELECT r.rule_id, r.doc_key, r.version, r.status,
       CASE WHEN r.status = 'active' THEN e.ended_on ELSE coalesce(e.ended_on, t.day) END AS effective_to
FROM rules r
LEFT JOIN ends e USING (rule_id)
LEFT JOIN took_over t ON t.doc_key = r.doc_key AND t.version = r.version;

CREATE OR REPLACE VIEW coverage_rules AS
SELECT s.rule_id, s.doc_id, s.payer, s.vendor, s.program_type, s.service, s.line_of_business,
       s.segment, s.scope, s.requirement, s.exceptions, s.inclusions, s.conditions,
       s.effective_from, s.page, s.quote, s.quote_start, s.quote_end, s.bbox, p.effective_to
FROM statements s
JOIN rule_periods(false) p USING (rule_id);
