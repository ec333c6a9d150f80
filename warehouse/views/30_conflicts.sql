-- Contradictions across documents (docs/architecture.md, view `conflicts`).
--
-- Statements are compared after normalising what does not change their meaning:
--   * vendors are canonical already (aliases and renames resolved at extraction);
--   * group names lose case, punctuation and trademark marks (pk_norm);
--   * scope wording collapses to a breadth: "Most groups — Exception: X" means "all groups except X",
--     "Select groups: X, Y" and "X and Y only" both mean the subset {X, Y}.
-- Two statements are about the same thing when payer, vendor, program type, requirement, service,
-- line of business, segment and conditions agree. They conflict when they come from different
-- documents (or different sections of one) whose validity overlaps (their intervals effective_from
-- to effective_to in coverage_rules: a rule that a later one ends is superseded, not in conflict) and
-- disagree on breadth (kind `scope`), exceptions or inclusions. Two vendors that each claim all of the
-- same payer/service/line/segment with no exceptions conflict too (kind `vendor_overlap`; not two
-- vendors one sentence names jointly, "offered through A and B"), and so do
-- a rule that requires authorization and one that says none is required for the same members under
-- the same conditions (kind `requirement`, whoever the vendors). Different payers never conflict:
-- payer is part of every comparison.

-- pk_norm is extract.vocabulary.comparison_key in SQL: "SM" written after a lower-case letter and
-- the marks ® ™ ℠ © ¹ ² ³ * dropped, lower case, every run of other characters one space.
-- tests/test_contract.py checks with hypothesis that the two agree.
CREATE OR REPLACE MACRO pk_norm(s) AS
    trim(regexp_replace(
        lower(regexp_replace(regexp_replace(coalesce(s, ''), '([a-z])SM([^\pL\pN_]|$)', '\1\2', 'g'),
                             '[®™℠©¹²³*]', '', 'g')),
        '[^a-z0-9]+', ' ', 'g'));

CREATE OR REPLACE MACRO pk_norm_list(l) AS
    list_sort(list_distinct(list_filter(list_transform(coalesce(l, []::VARCHAR[]), lambda x: pk_norm(x)), lambda x: x <> '')));

-- pk_breadth is warehouse.diff.breadth in SQL: "Most groups — Exception: X" is all groups but X.
-- tests/test_contract.py checks that the two agree on every scope, with and without exceptions.
CREATE OR REPLACE MACRO pk_breadth(scope, exceptions) AS
    CASE WHEN scope = 'none' THEN 'none'
         WHEN scope = 'all' OR (scope = 'most' AND len(coalesce(exceptions, [])) > 0) THEN 'all'
         WHEN scope = 'most' THEN 'most'
         ELSE 'subset' END;

-- pk_claim_key is what a statement says (warehouse.diff.claim_key): equal keys, the same claim, however
-- worded. Conflict reviews are keyed by it (tests/test_triage.py checks the two agree).
CREATE OR REPLACE MACRO pk_claim_key(payer, vendor, program_type, service, line_of_business, segment, scope,
                                     exceptions, inclusions, requirement, conditions, effective_from) AS
    md5(concat_ws(chr(31), payer, vendor, program_type, service, line_of_business, segment,
                  pk_breadth(scope, exceptions), array_to_string(pk_norm_list(exceptions), chr(30)),
                  array_to_string(pk_norm_list(inclusions), chr(30)), requirement, pk_norm(conditions),
                  coalesce(CAST(effective_from AS VARCHAR), '')));

-- Two validity intervals [from, to) overlap; NULL from is "always before", NULL to "still in force".
CREATE OR REPLACE MACRO pk_overlap(from_a, to_a, from_b, to_b) AS
    (from_a IS NULL OR to_b IS NULL OR from_a < to_b) AND (from_b IS NULL OR to_a IS NULL OR from_b < to_a);

-- One row per active statement with its comparison keys.
CREATE OR REPLACE VIEW rule_claims AS
SELECT s.rule_id, s.doc_id, s.payer, s.vendor, s.program_type, s.requirement, s.service, s.line_of_business,
       s.segment, s.scope, s.exceptions, s.inclusions, s.effective_from, c.effective_to, s.page, s.quote,
       coalesce(s.section, '') AS section,
       pk_norm(s.conditions) AS cond_key,
       pk_norm_list(s.exceptions) AS exc_key,
       pk_norm_list(s.inclusions) AS inc_key,
       pk_breadth(s.scope, s.exceptions) AS breadth,
       pk_claim_key(s.payer, s.vendor, s.program_type, s.service, s.line_of_business, s.segment, s.scope,
                    s.exceptions, s.inclusions, s.requirement, s.conditions, s.effective_from) AS claim_key
FROM statements s
JOIN coverage_rules c USING (rule_id);

-- rule_claims is read once per query (MATERIALIZED): it is a view over coverage_rules, whose validity
-- periods join the statements with themselves, and each mention of it would compute that again (the
-- three self-joins below made it six; at 20,000 rules each cost ~20 MiB of the build's memory).
CREATE OR REPLACE VIEW conflicts AS
WITH claims AS MATERIALIZED (SELECT * FROM rule_claims),
pairs AS (
    SELECT a.payer, a.vendor, a.service, a.line_of_business, a.segment,
           CASE WHEN a.breadth <> b.breadth THEN 'scope'
                WHEN a.exc_key <> b.exc_key THEN 'exceptions'
                ELSE 'inclusions' END AS kind,
           a.rule_id AS rule_id_a, b.rule_id AS rule_id_b, a.doc_id AS doc_id_a, b.doc_id AS doc_id_b,
           a.breadth AS breadth_a, b.breadth AS breadth_b, a.scope AS scope_a, b.scope AS scope_b,
           a.exceptions AS exc_a, b.exceptions AS exc_b, a.inclusions AS inc_a, b.inclusions AS inc_b,
           a.page AS page_a, b.page AS page_b,
           a.exc_key AS exc_key_a, b.exc_key AS exc_key_b, a.inc_key AS inc_key_a, b.inc_key AS inc_key_b
    FROM claims a
    JOIN claims b
      ON a.payer = b.payer AND a.vendor = b.vendor AND a.program_type = b.program_type
     AND a.requirement = b.requirement AND a.service = b.service
     AND a.line_of_business = b.line_of_business AND a.segment = b.segment AND a.cond_key = b.cond_key
     AND (a.doc_id < b.doc_id OR (a.doc_id = b.doc_id AND a.section <> b.section AND a.rule_id < b.rule_id))
     AND pk_overlap(a.effective_from, a.effective_to, b.effective_from, b.effective_to)
     AND (a.breadth <> b.breadth OR a.exc_key <> b.exc_key OR a.inc_key <> b.inc_key)
),
-- the same two claims stated again elsewhere in the same two documents are one contradiction
distinct_pairs AS (
    SELECT * FROM pairs
    QUALIFY row_number() OVER (
        PARTITION BY payer, vendor, service, line_of_business, segment, doc_id_a, doc_id_b,
                     breadth_a, breadth_b, exc_key_a, exc_key_b, inc_key_a, inc_key_b
        ORDER BY rule_id_a, rule_id_b) = 1
),
claims_all AS (
    SELECT * FROM claims
    WHERE breadth = 'all' AND len(exc_key) = 0 AND cond_key = '' AND requirement <> 'not_required'
),
vendor_overlaps AS (
    SELECT a.payer, a.vendor, a.service, a.line_of_business, a.segment, 'vendor_overlap' AS kind,
           a.rule_id AS rule_id_a, b.rule_id AS rule_id_b, a.doc_id AS doc_id_a, b.doc_id AS doc_id_b,
           a.vendor || ' and ' || b.vendor || ' each claim all ' || a.line_of_business || ' ' || a.segment
               || ' members for ' || a.service AS detail
    FROM claims_all a
    JOIN claims_all b
      ON a.payer = b.payer AND a.program_type = b.program_type AND a.service = b.service
     AND a.line_of_business = b.line_of_business AND a.segment = b.segment AND a.vendor < b.vendor
     AND pk_overlap(a.effective_from, a.effective_to, b.effective_from, b.effective_to)
     -- "offered through A and B": vendors one sentence names jointly share the program
     AND NOT (a.doc_id = b.doc_id AND a.page = b.page AND a.quote = b.quote)
    QUALIFY row_number() OVER (PARTITION BY a.payer, a.service, a.line_of_business, a.segment, a.vendor, b.vendor
                               ORDER BY a.rule_id, b.rule_id) = 1
),
-- authorization required (a) against not required (b) for the same members under the same conditions;
-- a subset of groups only meets the same subset (a rule for named groups and one for the rest do not clash)
requirement_clashes AS (
    SELECT a.payer, a.vendor, a.service, a.line_of_business, a.segment, 'requirement' AS kind,
           a.rule_id AS rule_id_a, b.rule_id AS rule_id_b, a.doc_id AS doc_id_a, b.doc_id AS doc_id_b,
           a.vendor || ': ' || a.requirement || ' (' || a.scope || ', p' || a.page || ') vs ' || b.vendor
               || ': not required (' || b.scope || ', p' || b.page || ')' AS detail
    FROM claims a
    JOIN claims b
      ON a.payer = b.payer AND a.program_type = b.program_type AND a.service = b.service
     AND a.line_of_business = b.line_of_business AND a.segment = b.segment AND a.cond_key = b.cond_key
     AND a.requirement IN ('prior_authorization', 'precertification') AND b.requirement = 'not_required'
     AND (a.doc_id <> b.doc_id OR a.section <> b.section)
     AND a.breadth <> 'none' AND b.breadth <> 'none'
     AND ((a.breadth <> 'subset' AND b.breadth <> 'subset') OR (a.breadth = b.breadth AND a.inc_key = b.inc_key))
     AND pk_overlap(a.effective_from, a.effective_to, b.effective_from, b.effective_to)
    QUALIFY row_number() OVER (PARTITION BY a.payer, a.service, a.line_of_business, a.segment, a.doc_id, b.doc_id,
                                            a.claim_key, b.claim_key
                               ORDER BY a.rule_id, b.rule_id) = 1
),
described AS (
    SELECT payer, vendor, service, line_of_business, segment, kind, rule_id_a, rule_id_b, doc_id_a, doc_id_b,
           CASE kind
             WHEN 'scope' THEN 'scope ' || scope_a || ' (' || breadth_a || ', p' || page_a || ') vs '
                               || scope_b || ' (' || breadth_b || ', p' || page_b || ')'
             WHEN 'exceptions' THEN 'exceptions [' || array_to_string(coalesce(exc_a, []), '; ') || '] (p' || page_a
                               || ') vs [' || array_to_string(coalesce(exc_b, []), '; ') || '] (p' || page_b || ')'
             ELSE 'inclusions [' || array_to_string(coalesce(inc_a, []), '; ') || '] (p' || page_a
                               || ') vs [' || array_to_string(coalesce(inc_b, []), '; ') || '] (p' || page_b || ')'
           END AS detail
    FROM distinct_pairs
    UNION ALL
    SELECT * FROM vendor_overlaps
    UNION ALL
    SELECT * FROM requirement_clashes
)
SELECT md5(kind || '|' || rule_id_a || '|' || rule_id_b)[:16] AS conflict_id,
       kind, payer, vendor, service, line_of_business, segment,
       rule_id_a, rule_id_b, doc_id_a, doc_id_b, detail
FROM described
ORDER BY payer, vendor, service, line_of_business, segment, kind, rule_id_a, rule_id_b;

-- Each conflict keyed for review: the content of both claims (rule_claims.claim_key), sorted, with the
-- kind. An acknowledgement (conflict_reviews) applies while both claims say what they said then.
-- pk_keyed_conflicts() is every column of `conflicts` plus these keys, so that conflict_details computes
-- the conflicts once (joining `conflicts` with conflict_keys computed them twice).
CREATE OR REPLACE MACRO pk_keyed_conflicts() AS TABLE
WITH claims AS MATERIALIZED (SELECT rule_id, claim_key FROM rule_claims)
SELECT c.*, ka.claim_key AS claim_key_a, kb.claim_key AS claim_key_b,
       md5(c.kind || '|' || least(ka.claim_key, kb.claim_key) || '|' || greatest(ka.claim_key, kb.claim_key))
           AS review_key
FROM conflicts c
JOIN claims ka ON ka.rule_id = c.rule_id_a
JOIN claims kb ON kb.rule_id = c.rule_id_b;

CREATE OR REPLACE VIEW conflict_keys AS
SELECT conflict_id, claim_key_a, claim_key_b, review_key FROM pk_keyed_conflicts();

-- Each conflict with both statements side by side (source, page and quote of each) and its review:
-- status `open` or `acknowledged`, the analyst's note and when.
CREATE OR REPLACE VIEW conflict_details AS
SELECT c.* EXCLUDE (claim_key_a, claim_key_b, review_key), da.source AS source_a, ra.page AS page_a, ra.quote AS quote_a,
       db.source AS source_b, rb.page AS page_b, rb.quote AS quote_b,
       CASE WHEN r.review_key IS NULL THEN 'open' ELSE 'acknowledged' END AS status,
       r.note, r.acknowledged_at, c.review_key, c.claim_key_a, c.claim_key_b
FROM pk_keyed_conflicts() c
JOIN statements ra ON ra.rule_id = c.rule_id_a
JOIN statements rb ON rb.rule_id = c.rule_id_b
JOIN documents da ON da.doc_id = c.doc_id_a
JOIN documents db ON db.doc_id = c.doc_id_b
LEFT JOIN conflict_reviews r ON r.review_key = c.review_key
ORDER BY c.payer, c.vendor, c.service, c.line_of_business, c.segment, c.kind, c.rule_id_a, c.rule_id_b;
