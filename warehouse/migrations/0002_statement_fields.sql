-- Migration 2: `statements` stores every field of a Statement (extract/model.py STATEMENT_COLUMNS):
-- the quote's offsets and box, the payer flagged new, and which text filled each slot. Exceptions
-- keep their order. Columns the contract says are never NULL become NOT NULL.
--
-- Statements written before have none of the new fields, so their documents' extraction signature
-- is cleared: the next build that sees a document re-extracts it (its rule ids stay the same).
--
-- Both tables are rebuilt (create, copy, drop, rename): DuckDB cannot add a NOT NULL constraint in
-- the transaction that filled the column.

CREATE TABLE statements_v2 (
    rule_id          VARCHAR PRIMARY KEY,
    doc_id           VARCHAR NOT NULL,
    payer            VARCHAR NOT NULL,
    vendor           VARCHAR NOT NULL,
    program_type     VARCHAR NOT NULL,
    service          VARCHAR NOT NULL,
    line_of_business VARCHAR NOT NULL,
    segment          VARCHAR NOT NULL,
    scope            VARCHAR NOT NULL,
    requirement      VARCHAR NOT NULL,
    exceptions       VARCHAR[] NOT NULL,
    inclusions       VARCHAR[] NOT NULL,
    conditions       VARCHAR,
    effective_from   DATE,
    page             INTEGER NOT NULL,
    quote            VARCHAR NOT NULL,
    quote_start      INTEGER,              -- offset of the quote in documents.text (NULL: unknown)
    quote_end        INTEGER,              -- end exclusive
    bbox             STRUCT(x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE),  -- PDF points on `page`
    block_index      INTEGER NOT NULL,
    vendor_as_stated VARCHAR NOT NULL,
    vendor_new       BOOLEAN NOT NULL,
    payer_new        BOOLEAN NOT NULL,
    section          VARCHAR NOT NULL,
    pattern          VARCHAR NOT NULL,
    explain          STRUCT(slot VARCHAR, filled_by VARCHAR)[] NOT NULL,
    stable_id        VARCHAR               -- the claim's id across versions of the document (warehouse/diff.py)
);

INSERT INTO statements_v2
SELECT rule_id, doc_id, payer, vendor, program_type, service, line_of_business, segment, scope, requirement,
       coalesce(exceptions, []), coalesce(inclusions, []), conditions, effective_from, page, quote,
       NULL, NULL, NULL, block_index, coalesce(vendor_as_stated, ''), coalesce(vendor_new, false), false,
       coalesce(section, ''), coalesce(pattern, ''), [], stable_id
FROM statements;
DROP TABLE statements;
ALTER TABLE statements_v2 RENAME TO statements;

CREATE TABLE exceptions_v2 (
    rule_id          VARCHAR NOT NULL,
    doc_id           VARCHAR NOT NULL,
    position         INTEGER NOT NULL,     -- order among the statement's exceptions
    group_name       VARCHAR NOT NULL,
    group_number     VARCHAR,
    alternate_vendor VARCHAR,
    quote            VARCHAR
);

-- rows written before kept no order, and were read sorted: they keep that order
INSERT INTO exceptions_v2
SELECT rule_id, doc_id,
       row_number() OVER (PARTITION BY rule_id ORDER BY group_name, group_number, alternate_vendor, quote) - 1,
       group_name, group_number, alternate_vendor, quote
FROM exceptions;
DROP TABLE exceptions;
ALTER TABLE exceptions_v2 RENAME TO exceptions;

UPDATE documents SET extract_sig = 'schema-1' WHERE extract_sig <> 'schema-1';
