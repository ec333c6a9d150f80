-- coverage_rules_as_of(day): the coverage_rules of `day` — who handled what on that date. The rules in
-- force then (effective_from on or before it, effective_to after it; NULL bounds are open) of active
-- documents and of the superseded versions before them (rule_periods(true), 10_coverage_rules.sql),
-- so a vendor switch announced in a later version leaves the earlier version answering for the days
-- before it. A superseded version's rule that a later version states again (the same claim,
-- pk_claim_key) is left to that version. Same columns as coverage_rules.
CREATE OR REPLACE MACRO coverage_rules_as_of(day) AS TABLE
WITH history AS (
    SELECT s.*, p.doc_key, p.version, p.effective_to AS valid_to,
           pk_claim_key(s.payer, s.vendor, s.program_type, s.service, s.line_of_business, s.segment, s.scope,
                        s.exceptions, s.inclusions, s.requirement, s.conditions, s.effective_from) AS claim_key
    FROM statements s
    JOIN rule_periods(true) p USING (rule_id)
)
SELECT h.rule_id, h.doc_id, h.payer, h.vendor, h.program_type, h.service, h.line_of_business,
       h.segment, h.scope, h.requirement, h.exceptions, h.inclusions, h.conditions,
       h.effective_from, h.page, h.quote, h.quote_start, h.quote_end, h.bbox, h.valid_to AS effective_to
FROM history h
WHERE (h.effective_from IS NULL OR h.effective_from <= CAST(day AS DATE))
  AND (h.valid_to IS NULL OR h.valid_to > CAST(day AS DATE))
  AND NOT EXISTS (SELECT 1 FROM history x
                  WHERE x.doc_key = h.doc_key AND x.version > h.version AND x.claim_key = h.claim_key);
