"""Rendering for people of ``who``'s grouped answer and of conflict triage (``payerkg/render.py`` holds
the rest). Data goes to ``out`` (stdout); confirmations and summaries to ``err`` (stderr). Tables fit
the terminal (``payerkg.tables``) and may cut a long cell; the lines under a table say it all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from . import tables

if TYPE_CHECKING:
    from warehouse.conflicts import Conflict
    from warehouse.model import LoadResult
    from warehouse.who import Answer


def _say(console: Console, text: str) -> None:
    """Plain text: document words in square brackets are not rich markup."""
    console.print(text, markup=False, highlight=False)


def answer(out: Console, a: Answer) -> None:
    """``who`` for people: a table with one row per group of findings that say the same thing, most
    specific to the question first; under it each group in full (its verdict with its conditions, the
    vendor, the members) with the sentences it rests on; last, ``Answer: `` and the one-line answer."""
    explained = a.explained()
    groups = explained.groups
    if groups:
        dated = any(g.validity for g in groups)  # columns only some answers need
        broader = any(g.first.via for g in groups)
        columns = ["#", "verdict", "vendor", "for", *(["valid"] * dated), *(["via"] * broader), "sources"]
        data = []
        for n, g in enumerate(groups, 1):
            pages = dict.fromkeys(f"{Path(src).name} p{page}" for src, page, _ in g.sources)
            extra = [g.validity] * dated + [g.first.via or ""] * broader
            data.append([n, g.label, g.vendor, g.members, *extra, "; ".join(pages)])
        out.print(tables.table(columns, data, out.width))
        for n, g in enumerate(groups, 1):
            f = g.first
            when = f" ({g.validity})" if g.validity else ""
            _say(out, f"[{n}] {g.label} · {g.vendor} · {g.members}{when}")
            for src, page, quote in g.sources:
                _say(out, f"    {Path(src).name} p{page}: “{quote}”")
            if f.verdict == "redirected":
                _say(out, f"    {f.vendor} instead of {f.instead_of}: “{f.exception_quote}”")
    when = f" (as of {a.question.as_of.isoformat()})" if a.question.as_of else ""
    _say(out, f"Answer{when}: {explained.sentence}")


CONFLICT_TABLE = ["kind", "payer", "vendor", "service", "line_of_business", "segment", "status"]


def conflict_table(out: Console, found: Sequence[Conflict]) -> None:
    """Conflicts for people: how many, a table, then each with its id (for ``--ack``), its detail, both
    quotes, and the note of an acknowledged one."""
    acknowledged = sum(c.acknowledged for c in found)
    _say(out, f"{len(found)} conflicts" + (f" ({acknowledged} acknowledged)" if acknowledged else ""))
    if not found:
        return
    data = [[n, c.conflict_id, *(getattr(c, k) for k in CONFLICT_TABLE)] for n, c in enumerate(found, 1)]
    out.print(tables.table(["#", "id", *CONFLICT_TABLE], data, out.width))
    for n, c in enumerate(found, 1):
        _say(out, f"[{n}] {c.conflict_id} {c.detail}")
        _say(out, f"    A {Path(c.source_a).name} p{c.page_a}: “{c.quote_a}”")
        _say(out, f"    B {Path(c.source_b).name} p{c.page_b}: “{c.quote_b}”")
        if c.acknowledged:
            when = c.acknowledged_at.strftime("%Y-%m-%d") if c.acknowledged_at else ""
            _say(out, f"    acknowledged {when}: {c.note}")


def acknowledged(err: Console, c: Conflict) -> None:
    """The confirmation of ``payerkg conflicts --ack``."""
    _say(
        err,
        f"acknowledged conflict {c.conflict_id} ({c.kind}: {c.vendor} · {c.service} · {c.line_of_business} · "
        f"{c.segment.replace('_', ' ')}): {c.note}",
    )


def conflicts_summary(r: LoadResult) -> str:
    """The build summary's conflicts line: open and acknowledged counted apart."""
    opened = r.conflicts - r.acknowledged
    text = f"conflicts: {opened} open, {r.acknowledged} acknowledged across documents"
    return text + (" (payerkg conflicts)" if opened else "")
