"""Contradictions across documents as typed records (the ``conflict_details`` view; the rules that
decide what conflicts are in ``views/30_conflicts.sql``), and their review.

An analyst acknowledges a conflict with a note (``acknowledge``). The acknowledgement is stored in
``conflict_reviews`` under the kind and the content of both claims (``rule_claims.claim_key``), so it
holds across rebuilds and new versions that say the same, and the conflict is open again as soon as
either claim says something else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Optional

import duckdb

from .errors import ArgumentError

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
#: the shortest conflict id prefix ``acknowledge`` accepts
MIN_ID_PREFIX = 6


@dataclass(frozen=True)
class Conflict:
    """One contradiction (the ``conflicts`` contract) with both statements' source, page and quote, and
    its review: ``status`` is ``open`` or ``acknowledged`` (then with the analyst's ``note`` and when)."""

    conflict_id: str
    kind: str  # scope | exceptions | inclusions | vendor_overlap | requirement
    payer: str
    vendor: str
    service: str
    line_of_business: str
    segment: str
    rule_id_a: str
    rule_id_b: str
    doc_id_a: str
    doc_id_b: str
    detail: str
    source_a: str
    page_a: int
    quote_a: str
    source_b: str
    page_b: int
    quote_b: str
    status: str = OPEN
    note: Optional[str] = None
    acknowledged_at: Optional[datetime] = None

    @property
    def acknowledged(self) -> bool:
        return self.status == ACKNOWLEDGED

    def to_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COLUMNS = tuple(f.name for f in fields(Conflict))


def read_conflicts(con: duckdb.DuckDBPyConnection, acknowledged: bool = True) -> list[Conflict]:
    """Every conflict with its review status; with ``acknowledged=False`` only the open ones."""
    where = "" if acknowledged else f" WHERE status = '{OPEN}'"
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM conflict_details{where}").fetchall()
    return [Conflict(*r) for r in rows]


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(open, acknowledged) conflicts. With no review stored every conflict is open, and counting the
    ``conflicts`` view is enough: ``conflict_details`` evaluates it twice (once more for the review
    keys) with both statements' rows, which is most of a large build's memory at its end."""
    if not con.execute("SELECT count(*) FROM conflict_reviews").fetchall()[0][0]:
        return int(con.execute("SELECT count(*) FROM conflicts").fetchall()[0][0]), 0
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE status = '{OPEN}'), count(*) FILTER (WHERE status = '{ACKNOWLEDGED}') "
        "FROM conflict_details"
    ).fetchall()[0]
    return int(row[0]), int(row[1])


def find(con: duckdb.DuckDBPyConnection, conflict_id: str) -> Conflict:
    """The conflict whose id is ``conflict_id`` or starts with it (``MIN_ID_PREFIX`` characters or more).
    Raises ``ArgumentError`` when none or several match."""
    wanted = conflict_id.strip().lower()
    if len(wanted) < MIN_ID_PREFIX:
        raise ArgumentError(f"{conflict_id!r}: give a conflict id (or its first {MIN_ID_PREFIX}+ characters)")
    rows = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM conflict_details WHERE starts_with(conflict_id, ?)", [wanted]
    ).fetchall()
    if not rows:
        raise ArgumentError(f"{conflict_id}: no conflict with this id (`payerkg conflicts --all` lists them)")
    if len(rows) > 1:
        raise ArgumentError(f"{conflict_id}: {len(rows)} conflicts have an id starting so; give more of the id")
    return Conflict(*rows[0])


def acknowledge(con: duckdb.DuckDBPyConnection, conflict_id: str, note: str) -> Conflict:
    """Record that an analyst reviewed the conflict ``conflict_id`` (an id or its prefix), with ``note``
    (acknowledging again replaces the note). Returns the conflict, now acknowledged. Raises
    ``ArgumentError`` for an unknown id or an empty note."""
    text = " ".join((note or "").split())
    if not text:
        raise ArgumentError("--note: say why the conflict is acknowledged (the note is kept with the review)")
    c = find(con, conflict_id)
    con.execute(
        """INSERT OR REPLACE INTO conflict_reviews
               (review_key, kind, claim_key_a, claim_key_b, conflict_id, payer, vendor, service,
                line_of_business, segment, detail, note, acknowledged_at)
           SELECT review_key, kind, claim_key_a, claim_key_b, conflict_id, payer, vendor, service,
                  line_of_business, segment, detail, ?, ?
           FROM conflict_details WHERE conflict_id = ?""",
        [text, datetime.now(), c.conflict_id],
    )
    return find(con, c.conflict_id)
