-- Migration 4: `mentions` keeps what each document names but yields no rule from (a vendor named, or
-- delegation language, in a sentence or table row no rule rests on: extract/unexplained.py). The
-- `unexplained_mentions` view shows those of active documents.
--
-- Documents loaded before have no mentions, so their extraction signature is cleared: the next build
-- that sees a document re-extracts it (its rule ids stay the same).

CREATE TABLE IF NOT EXISTS mentions (
    doc_id      VARCHAR NOT NULL,
    page        INTEGER NOT NULL,
    block_index INTEGER NOT NULL,
    quote_start INTEGER,            -- offset of the text in documents.text (NULL: unknown)
    quote_end   INTEGER,            -- end exclusive
    text        VARCHAR NOT NULL,
    why         VARCHAR NOT NULL
);

UPDATE documents SET extract_sig = 'schema-3' WHERE extract_sig <> 'schema-3';
