"""Typed records handed from ``extract`` to ``graph`` and ``warehouse``, and their row mapping.

A ``Statement`` is one vendor × service × line of business × segment fact with exactly the fields
of the ``coverage_rules`` contract plus its provenance. Statements are frozen and hashable, so
dedupe, conflicts and diffs are set operations. Invariants:

* ``quote`` occurs verbatim in the document text on ``page``; ``quote_start``/``quote_end`` are its
  offsets in the document's text (end exclusive), -1 when unknown;
* ``exceptions`` are canonical names, sorted; ``exception_refs`` carry their detail;
* ``rule_id`` is a hash of canonical content (not of block positions), so it is stable across
  rebuilds and when unrelated blocks move.

``Statement.to_row`` / ``Statement.from_row`` map a statement to its row of the contract's tables
and back. The contract itself — ``CONTRACT`` and the stored tables' columns, the closed value sets —
is defined once in ``contract.py`` and re-exported here (docs/architecture.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from .contract import (
    BBOX_FIELDS,
    CONTRACT,
    CONTRACT_COLUMNS,
    EXCEPTION_COLUMNS,
    MENTION_COLUMNS,
    STATEMENT_COLUMNS,
    Column,
    ProgramType,
    Requirement,
    Scope,
    Segment,
)

__all__ = [
    "CONTRACT",
    "CONTRACT_COLUMNS",
    "EXCEPTION_COLUMNS",
    "MENTION_COLUMNS",
    "STATEMENT_COLUMNS",
    "Column",
    "ExceptionRef",
    "ProgramType",
    "Requirement",
    "Scope",
    "Segment",
    "Statement",
]


@dataclass(frozen=True, order=True)
class ExceptionRef:
    """An excepted group/population; ``alternate_vendor`` when the text names who handles it."""

    name: str
    group_number: Optional[str] = None
    alternate_vendor: Optional[str] = None
    quote: str = ""


@dataclass(frozen=True)
class Statement:
    doc_id: str
    payer: str
    vendor: str
    program_type: ProgramType
    service: str
    line_of_business: str
    segment: Segment
    scope: Scope
    requirement: Requirement
    page: int
    quote: str
    block_index: int
    exceptions: tuple[str, ...] = ()
    inclusions: tuple[str, ...] = ()
    conditions: Optional[str] = None
    effective_from: Optional[date] = None
    vendor_as_stated: str = ""
    vendor_new: bool = False
    exception_refs: tuple[ExceptionRef, ...] = ()
    section: str = ""
    pattern: str = ""
    payer_new: bool = False
    quote_start: int = field(default=-1, compare=False)  # offsets of the quote in the document text
    quote_end: int = field(default=-1, compare=False)
    bbox: Optional[tuple[float, float, float, float]] = field(default=None, compare=False)  # PDF: x0, top, x1, bottom
    explain: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # slot → the text that filled it
    rule_id: str = field(default="", compare=False)

    def identity(self) -> dict:
        """The canonical content the rule id hashes."""
        return {
            "doc_id": self.doc_id,
            "payer": self.payer,
            "vendor": self.vendor,
            "service": self.service,
            "line_of_business": self.line_of_business,
            "segment": self.segment.value,
            "scope": self.scope.value,
            "conditions": self.conditions,
            "quote": " ".join(self.quote.split()),
        }

    def with_id(self) -> Statement:
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        object.__setattr__(self, "rule_id", digest[:20])
        return self

    # -- the row mapping, both directions (STATEMENT_COLUMNS and EXCEPTION_COLUMNS below) ----------
    def to_row(self) -> dict[str, Any]:
        """The ``statements`` row: one value per ``STATEMENT_COLUMNS`` name, as DuckDB takes it (enums as
        their values, tuples as lists, an unknown offset (-1) as NULL, ``bbox`` and ``explain`` as structs)."""
        return {
            "rule_id": self.rule_id,
            "doc_id": self.doc_id,
            "payer": self.payer,
            "vendor": self.vendor,
            "program_type": self.program_type.value,
            "service": self.service,
            "line_of_business": self.line_of_business,
            "segment": self.segment.value,
            "scope": self.scope.value,
            "requirement": self.requirement.value,
            "exceptions": list(self.exceptions),
            "inclusions": list(self.inclusions),
            "conditions": self.conditions,
            "effective_from": self.effective_from,
            "page": self.page,
            "quote": self.quote,
            "quote_start": self.quote_start if self.quote_start >= 0 else None,
            "quote_end": self.quote_end if self.quote_end >= 0 else None,
            "bbox": dict(zip(BBOX_FIELDS, self.bbox)) if self.bbox is not None else None,
            "block_index": self.block_index,
            "vendor_as_stated": self.vendor_as_stated,
            "vendor_new": self.vendor_new,
            "payer_new": self.payer_new,
            "section": self.section,
            "pattern": self.pattern,
            "explain": [{"slot": slot, "filled_by": text} for slot, text in self.explain],
        }

    def exception_rows(self) -> list[dict[str, Any]]:
        """The ``exceptions`` rows of this statement, one per ``exception_refs`` item, in order."""
        return [
            {
                "rule_id": self.rule_id,
                "doc_id": self.doc_id,
                "position": i,
                "group_name": r.name,
                "group_number": r.group_number,
                "alternate_vendor": r.alternate_vendor,
                "quote": r.quote,
            }
            for i, r in enumerate(self.exception_refs)
        ]

    @classmethod
    def from_row(cls, row: Mapping[str, Any], exception_rows: Iterable[Mapping[str, Any]] = ()) -> Statement:
        """The statement a ``statements`` row (and its ``exceptions`` rows) stores; the inverse of
        ``to_row`` / ``exception_rows``. Columns a migrated database left NULL read as the defaults."""
        bbox = row.get("bbox")
        refs = sorted(exception_rows, key=lambda r: r.get("position") or 0)
        st = cls(
            doc_id=row["doc_id"],
            payer=row["payer"],
            vendor=row["vendor"],
            program_type=ProgramType(row["program_type"]),
            service=row["service"],
            line_of_business=row["line_of_business"],
            segment=Segment(row["segment"]),
            scope=Scope(row["scope"]),
            requirement=Requirement(row["requirement"]),
            page=row["page"],
            quote=row["quote"],
            block_index=row["block_index"],
            exceptions=tuple(row["exceptions"] or ()),
            inclusions=tuple(row["inclusions"] or ()),
            conditions=row["conditions"],
            effective_from=row["effective_from"],
            vendor_as_stated=row.get("vendor_as_stated") or "",
            vendor_new=bool(row.get("vendor_new")),
            payer_new=bool(row.get("payer_new")),
            exception_refs=tuple(
                ExceptionRef(r["group_name"], r["group_number"], r["alternate_vendor"], r["quote"] or "") for r in refs
            ),
            section=row.get("section") or "",
            pattern=row.get("pattern") or "",
            quote_start=_offset(row.get("quote_start")),
            quote_end=_offset(row.get("quote_end")),
            bbox=_bbox(bbox),
            explain=tuple((e["slot"], e["filled_by"]) for e in row.get("explain") or ()),
        )
        object.__setattr__(st, "rule_id", row["rule_id"])
        return st

    def contract_row(self) -> dict[str, Any]:
        """The ``coverage_rules`` columns, in contract order, ready for JSON (dates as ISO text).
        ``effective_to`` is derived across documents by the warehouse, so it is None here."""
        row = self.to_row()
        row["effective_from"] = self.effective_from.isoformat() if self.effective_from else None
        return {c.name: row.get(c.name) for c in CONTRACT}


def _offset(value: Optional[int]) -> int:
    return -1 if value is None else int(value)


def _bbox(value: Optional[Mapping[str, float]]) -> Optional[tuple[float, float, float, float]]:
    if value is None:
        return None
    return float(value["x0"]), float(value["top"]), float(value["x1"]), float(value["bottom"])
