"""Rendering for people of ``who``'s grouped answer and of conflict triage (``payerkg/render.py`` holds
the rest). Data goes to ``out`` (stdout); confirmations and summaries to ``err`` (stderr)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from warehouse.conflicts import Conflict
from warehouse.model import LoadResult
from warehouse.who import Answer


def _say(console: Console, text: str) -> None:
    """Plain text: document words in square brackets are not rich markup."""
    console.print(text, markup=False, highlight=False)


def answer(out: Console, a: Answer) -> None:
    """``who`` for people: one row per group of findings that say the same thing, most specific to the
    question first, with the verdict and its conditions; the sentences they rest on; a one-line answer."""
    explained = a.explained()
    groups = explained.groups
    if groups:
        dated = any(g.validity for g in groups)  # columns only some answers need
        broader = any(g.first.via for g in groups)
        t = Table(show_lines=False)
        for column in ("#", "verdict", "vendor", "for", *(["valid"] * dated), *(["via"] * broader), "sources"):
            t.add_column(column, overflow="fold")
        for n, g in enumerate(groups, 1):
            pages = dict.fromkeys(f"{Path(src).name} p{page}" for src, page, _ in g.sources)
            extra = [g.validity] * dated + [g.first.via or ""] * broader
            t.add_row(str(n), g.label, g.vendor, g.members, *extra, "; ".join(pages))
        out.print(t)
        for n, g in enumerate(groups, 1):
            for src, page, quote in g.sources:
                _say(out, f"[{n}] {Path(src).name} p{page}: “{quote}”")
            f = g.first
            if f.verdict == "redirected":
                _say(out, f"    {f.vendor} instead of {f.instead_of}: “{f.exception_quote}”")
    when = f" (as of {a.question.as_of.isoformat()})" if a.question.as_of else ""
    _say(out, f"Answer{when}: {explained.sentence}")


CONFLICT_TABLE = ["kind", "payer", "vendor", "service", "line_of_business", "segment", "status"]


def conflict_table(out: Console, found: Sequence[Conflict]) -> None:
    """Conflicts for people: each with its id (for ``--ack``), both quotes, and the note of an
    acknowledged one."""
    acknowledged = sum(c.acknowledged for c in found)
    title = f"{len(found)} conflicts" + (f" ({acknowledged} acknowledged)" if acknowledged else "")
    t = Table(title=title, show_lines=False)
    for column in ("#", "id", *CONFLICT_TABLE):
        t.add_column(column, overflow="fold")
    for n, c in enumerate(found, 1):
        t.add_row(str(n), c.conflict_id, *(str(getattr(c, k)) for k in CONFLICT_TABLE))
    out.print(t)
    for n, c in enumerate(found, 1):
        _say(out, f"[{n}] {c.conflict_id} {c.detail}")
        _say(out, f"    A {Path(c.source_a).name} p{c.page_a}: “{c.quote_a}”")
        _say(out, f"    B {Path(c.source_b).name} p{c.page_b}: “{c.quote_b}”")
        if c.acknowledged:
            when = c.acknowledged_at.strftime("%Y-%m-%d") if c.acknowledged_at else ""
            _say(out, f"    acknowledged {when}: {c.note}")


def acknowledged(err: Console, c: Conflict) -> None:
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
