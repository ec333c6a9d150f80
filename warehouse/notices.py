"""Documents a build read that need a look: silence is never success.

A document that gave no rules, names no payer, or has sentences that name a vendor or use
delegation language yet gave no rule (``unexplained_mentions``) gets a ``Notice`` with a one-line
reason. The build summary names each; ``payerkg build --strict`` fails on any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

#: the payer of a document that names none: ``extract.payer.UNKNOWN``, written out here because importing
#: ``extract.payer`` loads the extractor (spaCy: ~37 MiB of a build's driver, which never extracts);
#: tests/test_memory.py checks that the two agree
UNKNOWN_PAYER = "unknown payer"

NO_RULES, NO_PAYER, UNEXPLAINED = "no_rules", "no_payer", "unexplained"


@dataclass(frozen=True)
class Notice:
    """Why document ``source`` needs a look: ``kinds`` (of ``no_rules``, ``no_payer``,
    ``unexplained``, in that order, never empty) and one line saying so (``reason``)."""

    source: str
    doc_id: str
    kinds: tuple[str, ...]
    reason: str


def document_notices(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> list[Notice]:
    """A notice for each of the active documents ``doc_ids`` that needs one, by source."""
    if not doc_ids:
        return []
    rows = con.execute(
        """SELECT d.source, d.doc_id, d.payer,
                  (SELECT count(*) FROM statements s WHERE s.doc_id = d.doc_id) AS rules,
                  count(m.doc_id) AS mentions,
                  arg_min(m.page, (m.page, m.block_index, m.quote_start)) AS first_page,
                  arg_min(m.why, (m.page, m.block_index, m.quote_start)) AS first_why
           FROM documents d LEFT JOIN mentions m USING (doc_id)
           WHERE d.doc_id IN (SELECT unnest(?::VARCHAR[])) AND d.status = 'active'
           GROUP BY ALL ORDER BY d.source""",
        [list(doc_ids)],
    ).fetchall()
    out = []
    for source, doc_id, payer, rules, mentions, page, why in rows:
        kinds = tuple(
            k
            for k, yes in ((NO_RULES, rules == 0), (NO_PAYER, payer == UNKNOWN_PAYER), (UNEXPLAINED, mentions > 0))
            if yes
        )
        if kinds:
            out.append(Notice(source, doc_id, kinds, _reason(kinds, mentions, page, why)))
    return out


def _reason(kinds: tuple[str, ...], mentions: int, page: int | None, why: str | None) -> str:
    parts = []
    if NO_RULES in kinds:
        parts.append("no rules")
    if NO_PAYER in kinds:
        parts.append(f"no payer named (filed under {UNKNOWN_PAYER!r})")
    if UNEXPLAINED in kinds:
        parts.append(f"{mentions} sentence(s) not understood (unexplained_mentions), the first on p{page}: {why}")
    elif NO_RULES in kinds:
        parts.append("nothing in it names a vendor or uses delegation language")
    return "; ".join(parts)
