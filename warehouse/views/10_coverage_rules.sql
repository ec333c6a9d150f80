-- The public contract (extract/model.py CONTRACT, docs/architecture.md): one row per vendor ×
-- service × line of business × segment statement of an active document. tests/test_contract.py
-- fails if these columns or their types drift from the contract.
--
-- effective_to: a dated rule ends where a later dated rule for the same payer, service, line of
-- business and segment begins (a vendor switch ends the old vendor's rule); undated rules and the
-- latest dated one stay open (NULL). Stated ends ("ending …") are for a later version.
CREATE OR REPLACE VIEW coverage_rules AS
WITH active AS (
    SELECT s.* FROM statements s JOIN documents d USING (doc_id) WHERE d.status = 'active'
),
starts AS (
    SELECT DISTINCT payer, service, line_of_business, segment, effective_from FROM active
    WHERE effective_from IS NOT NULL
),
periods AS (
    SELECT *, lead(effective_from) OVER (PARTITION BY payer, service, line_of_business, segment
                                         ORDER BY effective_from) AS effective_to
    FROM starts
)
SELECT a.rule_id, a.doc_id, a.payer, a.vendor, a.program_type, a.service, a.line_of_business,
       a.segment, a.scope, a.requirement, a.exceptions, a.inclusions, a.conditions,
       a.effective_from, a.page, a.quote, a.quote_start, a.quote_end, a.bbox, p.effective_to
FROM active a
LEFT JOIN periods p USING (payer, service, line_of_business, segment, effective_from);
