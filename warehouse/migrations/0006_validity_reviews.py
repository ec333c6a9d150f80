"""Migration 6: when documents were published, and the analysts' reviews of conflicts.

* ``documents.published_on`` — the document's own date ("Updated April 13, 2017", "January 2026";
  ``warehouse.published``). Documents loaded before are dated now from their stored blocks; their
  extraction signature is cleared so the next build that sees them reads them again, furniture
  (running headers and footers, a page's title) included. Their rule ids stay the same.
* ``conflict_reviews`` — one row per acknowledged contradiction, keyed by the kind and the content of
  both claims (``rule_claims.claim_key``), not by rule ids: the acknowledgement survives rebuilds and
  new versions that say the same, and no longer applies once either claim says something else.
"""

from __future__ import annotations

import duckdb

from ..published import published_from_blocks

REVIEWS = """
CREATE TABLE IF NOT EXISTS conflict_reviews (
    review_key       VARCHAR PRIMARY KEY,  -- md5 of the kind and both claim keys, sorted
    kind             VARCHAR NOT NULL,
    claim_key_a      VARCHAR NOT NULL,     -- rule_claims.claim_key of each side
    claim_key_b      VARCHAR NOT NULL,
    conflict_id      VARCHAR NOT NULL,     -- the conflict's id when it was acknowledged
    payer            VARCHAR NOT NULL,
    vendor           VARCHAR NOT NULL,
    service          VARCHAR NOT NULL,
    line_of_business VARCHAR NOT NULL,
    segment          VARCHAR NOT NULL,
    detail           VARCHAR,
    note             VARCHAR NOT NULL,
    acknowledged_at  TIMESTAMP NOT NULL
)"""


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(REVIEWS)
    con.execute("ALTER TABLE documents ADD COLUMN IF NOT EXISTS published_on DATE")
    rows = con.execute(
        """SELECT doc_id, list(coalesce(text, '') ORDER BY block_index) FILTER (WHERE kind <> 'table')
           FROM blocks GROUP BY doc_id"""
    ).fetchall()
    dated = [(doc_id, d) for doc_id, texts in rows if (d := published_from_blocks(texts or [])) is not None]
    if dated:
        con.execute(
            """UPDATE documents SET published_on = dated.day
               FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::DATE[]) AS day) dated
               WHERE documents.doc_id = dated.doc_id""",
            [[d for d, _ in dated], [day for _, day in dated]],
        )
    con.execute("UPDATE documents SET extract_sig = 'schema-5' WHERE extract_sig <> 'schema-5'")
