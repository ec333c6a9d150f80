-- The public contract (DESIGN.md): one row per vendor × service × line of business × segment
-- statement of an active document.
CREATE OR REPLACE VIEW coverage_rules AS
SELECT s.rule_id, s.doc_id, s.payer, s.vendor, s.program_type, s.service, s.line_of_business,
       s.segment, s.scope, s.requirement, s.exceptions, s.inclusions, s.conditions,
       s.effective_from, s.page, s.quote
FROM statements s
JOIN documents d USING (doc_id)
WHERE d.status = 'active';
