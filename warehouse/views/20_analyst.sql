-- Views for analysts. Each reads coverage_rules, so retired and superseded documents never show.

-- Who manages what, one row per vendor × line of business × service, with the scopes stated.
CREATE OR REPLACE VIEW vendor_matrix AS
SELECT payer, vendor, line_of_business, service,
       list(DISTINCT segment ORDER BY segment)     AS segments,
       list(DISTINCT scope ORDER BY scope)         AS scopes,
       list(DISTINCT requirement ORDER BY requirement) AS requirements,
       count(*)                                    AS rules,
       count(DISTINCT doc_id)                      AS documents
FROM coverage_rules
GROUP BY ALL;

-- Every exception, by group: which vendor's rule excepts it, and who handles it instead if named.
-- The quote is the text that names the group (the rule's own quote when none was kept).
CREATE OR REPLACE VIEW exceptions_by_group AS
SELECT e.group_name, e.group_number, c.payer, c.vendor, c.service, c.line_of_business, c.segment,
       c.scope, e.alternate_vendor, c.rule_id, c.doc_id, c.page, coalesce(e.quote, c.quote) AS quote
FROM exceptions e
JOIN coverage_rules c USING (rule_id);

-- What active documents name but yield no rule from: a vendor, or delegation language, in a sentence
-- or table row no rule rests on. Read these first on a new document (extract/unexplained.py).
CREATE OR REPLACE VIEW unexplained_mentions AS
SELECT d.payer, d.source, m.page, m.text, m.why, m.doc_id, m.block_index, m.quote_start, m.quote_end
FROM mentions m
JOIN documents d USING (doc_id)
WHERE d.status = 'active'
ORDER BY d.source, m.page, m.block_index, m.quote_start;

-- Documents and their versions, newest first.
CREATE OR REPLACE VIEW document_history AS
SELECT d.doc_key, d.version, d.status, d.doc_id, d.source, d.title, d.payer, d.page_count,
       b.started_at AS first_built,
       (SELECT count(*) FROM statements s WHERE s.doc_id = d.doc_id) AS rules
FROM documents d JOIN builds b ON b.build_id = d.first_build
ORDER BY d.doc_key, d.version DESC;
