"""Contradictions across documents as typed records (the ``conflict_details`` view; the rules that
decide what conflicts are in ``views/30_conflicts.sql``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import duckdb


@dataclass(frozen=True)
class Conflict:
    """One contradiction (the ``conflicts`` contract) with both statements' source, page and quote."""

    conflict_id: str
    kind: str  # scope | exceptions | inclusions | vendor_overlap
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

    def to_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COLUMNS = tuple(f.name for f in fields(Conflict))


def read_conflicts(con: duckdb.DuckDBPyConnection) -> list[Conflict]:
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM conflict_details").fetchall()
    return [Conflict(*r) for r in rows]
