-- Migration 1: the tables as payerkg created them before schema versions (commit e3a9935).
-- Every statement is idempotent (IF NOT EXISTS), so it also brings a database from before that
-- commit (without statements.stable_id) to this layout. Never edit a migration: add the next one.

CREATE TABLE IF NOT EXISTS builds (
    build_id      INTEGER PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    inputs        VARCHAR[],
    parsed        INTEGER,       -- documents parsed and extracted in this build
    unchanged     INTEGER,       -- documents skipped because their sha256 was already loaded
    failed        INTEGER,
    retired       INTEGER,
    rules         INTEGER,       -- active rules after the build
    vocab_version INTEGER
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id        VARCHAR PRIMARY KEY,   -- sha256 of the bytes
    doc_key       VARCHAR NOT NULL,      -- payer + normalised title (+ file name when two inputs share it)
    version       INTEGER NOT NULL,      -- 1, 2, … within doc_key
    status        VARCHAR NOT NULL,      -- active | superseded | retired
    source        VARCHAR NOT NULL,      -- path as given to the build
    media_type    VARCHAR NOT NULL,
    title         VARCHAR,
    payer         VARCHAR,
    page_count    INTEGER,
    size_bytes    BIGINT,
    block_count   INTEGER,
    text          VARCHAR,               -- full text, for quote checks
    warnings      VARCHAR[],
    first_build   INTEGER NOT NULL,
    last_build    INTEGER NOT NULL,
    extract_sig   VARCHAR NOT NULL       -- vocabulary + extractor the statements came from
);

CREATE TABLE IF NOT EXISTS document_versions (
    doc_key       VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    doc_id        VARCHAR NOT NULL,
    build_id      INTEGER NOT NULL,
    PRIMARY KEY (doc_key, version)
);

CREATE TABLE IF NOT EXISTS blocks (
    doc_id        VARCHAR NOT NULL,
    block_index   INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,
    page          INTEGER NOT NULL,
    level         INTEGER,
    section_path  VARCHAR[],
    text          VARCHAR,
    PRIMARY KEY (doc_id, block_index)
);

CREATE TABLE IF NOT EXISTS statements (
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
    exceptions       VARCHAR[],
    inclusions       VARCHAR[],
    conditions       VARCHAR,
    effective_from   DATE,
    page             INTEGER NOT NULL,
    quote            VARCHAR NOT NULL,
    block_index      INTEGER NOT NULL,
    vendor_as_stated VARCHAR,
    vendor_new       BOOLEAN,
    section          VARCHAR,
    pattern          VARCHAR,
    stable_id        VARCHAR             -- the claim's id across versions of the document (warehouse/diff.py)
);
-- databases built before stable ids existed
ALTER TABLE statements ADD COLUMN IF NOT EXISTS stable_id VARCHAR;

CREATE TABLE IF NOT EXISTS exceptions (
    rule_id          VARCHAR NOT NULL,
    doc_id           VARCHAR NOT NULL,
    group_name       VARCHAR NOT NULL,
    group_number     VARCHAR,
    alternate_vendor VARCHAR,
    quote            VARCHAR
);

CREATE TABLE IF NOT EXISTS entities (
    kind          VARCHAR NOT NULL,   -- payer | vendor | department | portal | lob | group | service
    name          VARCHAR NOT NULL,   -- canonical
    alias         VARCHAR NOT NULL,   -- a name it is known by (the canonical name is an alias too)
    relation      VARCHAR,            -- alias | renamed_from | portal | group_number | within | payer
    source        VARCHAR NOT NULL    -- vocabulary | extracted
);

CREATE TABLE IF NOT EXISTS failures (
    build_id      INTEGER NOT NULL,
    source        VARCHAR NOT NULL,
    code          VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL
);

-- Rules each parsed document gave, per build: the row-count check compares a document with its
-- previous build (a sudden drop is flagged).
CREATE TABLE IF NOT EXISTS doc_rule_counts (
    build_id      INTEGER NOT NULL,
    doc_key       VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL,
    rules         INTEGER NOT NULL
);

-- great-expectations results, one row per expectation per build (warehouse/validate.py).
CREATE TABLE IF NOT EXISTS validation_results (
    build_id          INTEGER NOT NULL,
    check_kind        VARCHAR NOT NULL,   -- schema | not_null | value_set | unique | quote | vendor | exception_scope | effective_date | row_count
    asset             VARCHAR NOT NULL,   -- the batch checked: contract_schema | rules | documents
    expectation       VARCHAR NOT NULL,   -- great-expectations expectation type
    column_name       VARCHAR,
    success           BOOLEAN NOT NULL,
    element_count     BIGINT,
    unexpected_count  BIGINT,
    unexpected_values VARCHAR[],          -- up to 20 failing values
    unexpected_ids    VARCHAR[],          -- rule_id / doc_key / column of up to 20 failing rows
    description       VARCHAR,
    carried_from      INTEGER             -- set when a build changed nothing: the build whose run these are
);

-- What changed in coverage between consecutive versions of a document (warehouse/diff.py), one row
-- per changed field of a rule, or per added or removed rule. A new document's rules are all added;
-- a retired document's are all removed. The feed of `payerkg export --since` reads this table.
CREATE TABLE IF NOT EXISTS rule_changes (
    build_id          INTEGER NOT NULL,
    doc_key           VARCHAR NOT NULL,
    from_version      INTEGER,            -- NULL: the document is new, or back after being retired
    to_version        INTEGER,            -- NULL: the document was retired
    old_doc_id        VARCHAR,
    new_doc_id        VARCHAR,
    stable_id         VARCHAR NOT NULL,
    change            VARCHAR NOT NULL,   -- added | removed | changed
    field             VARCHAR,            -- for changed: vendor | scope | exceptions | inclusions | requirement | conditions | effective_from
    payer             VARCHAR NOT NULL,
    vendor            VARCHAR NOT NULL,
    service           VARCHAR NOT NULL,
    line_of_business  VARCHAR NOT NULL,
    segment           VARCHAR NOT NULL,
    before            VARCHAR,            -- JSON: the field's value, or the whole removed rule
    after             VARCHAR,            -- JSON: the field's value, or the whole added rule
    quote_before      VARCHAR,
    quote_after       VARCHAR,
    rule_id_before    VARCHAR,
    rule_id_after     VARCHAR
);
