"""Versions of a document in the warehouse: stable ids and the ``rule_changes`` a build records.

When a build loads a document whose key already has a version, the new statements are matched with
the previous version's (``warehouse.diff``): matched claims keep their stable id, the differences
become ``rule_changes`` rows. A document seen for the first time (or back after retirement) adds all
its rules; a retired one removes them. A document re-extracted with a new vocabulary is compared
with its own previous extraction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from extract import Statement

from .diff import Diff, carry_ids, diff


@dataclass
class Side:
    """One version of a document as the change log sees it."""

    doc_id: Optional[str] = None
    version: Optional[int] = None
    active: bool = False  # its rules are live downstream (so a change is a change)
    statements: list[Statement] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # rule_id → stable id


def _json(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass
class ChangeLog:
    build_id: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    def version(self, doc_key: str, old: Side, new: Side, taken: set[str]) -> dict[str, str]:
        """Record ``old`` → ``new`` and return the stable ids of ``new``'s statements."""
        # one match serves both: ids follow it even when the old version was not live (retired), but
        # then every rule counts as added again downstream
        d = diff(old.statements, new.statements, old.doc_id or "", new.doc_id or "")
        new.ids = carry_ids(doc_key, d.pairs, old.ids, new.statements, taken)
        if not old.active:
            d = diff([], new.statements, "", new.doc_id or "")
        self._add(doc_key, old, new, d)
        return new.ids

    def appeared(self, doc_key: str, new: Side) -> None:
        """A document back after retirement: all its rules are added again."""
        self._add(doc_key, Side(), new, diff([], new.statements, "", new.doc_id or ""))

    def retired(self, doc_key: str, old: Side) -> None:
        self._add(doc_key, old, Side(), diff(old.statements, [], old.doc_id or "", ""))

    def _add(self, doc_key: str, old: Side, new: Side, d: Diff) -> None:
        for c in d.changes:
            side, statement = (old, c.old) if c.change == "removed" else (new, c.new)
            assert statement is not None, c
            sid = side.ids[statement.rule_id]
            self.rows.append(
                dict(
                    build_id=self.build_id,
                    doc_key=doc_key,
                    from_version=old.version,
                    to_version=new.version,
                    old_doc_id=old.doc_id,
                    new_doc_id=new.doc_id,
                    stable_id=sid,
                    change=c.change,
                    field=c.field,
                    payer=c.payer,
                    vendor=c.vendor,
                    service=c.service,
                    line_of_business=c.line_of_business,
                    segment=c.segment,
                    before=_json(c.before),
                    after=_json(c.after),
                    quote_before=c.quote_before,
                    quote_after=c.quote_after,
                    rule_id_before=c.old.rule_id if c.old else None,
                    rule_id_after=c.new.rule_id if c.new else None,
                )
            )
