"""Rendering for people of conflict triage (``payerkg/render.py`` holds the rest). Data goes to ``out``
(stdout); confirmations and summaries to ``err`` (stderr)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from warehouse.conflicts import Conflict
from warehouse.model import LoadResult


def _say(console: Console, text: str) -> None:
    """Plain text: document words in square brackets are not rich markup."""
    console.print(text, markup=False, highlight=False)


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
