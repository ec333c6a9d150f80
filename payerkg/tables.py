"""Rows as text, in every tabular format the CLI offers (``payerkg.formats``): a table that fits the
terminal, TSV, CSV, JSON and JSON lines.

A table never wraps a cell into fragments: each cell stays on one line and a long one ends in an
ellipsis. Columns keep their natural width when the table fits; otherwise the widest columns give
way first (``fit_widths``), so short columns such as a segment or a page stay whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

from warehouse.cells import jsonable, text_cell

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

#: No column is cut narrower than this (unless its content is shorter): "line_of…" still reads as its
#: header, and 8 characters keep a page number, a segment or a short name whole.
MIN_COLUMN = 8
#: What a rich table with the default box adds around its cells: one space of padding on each side
#: of a cell (2 per column) and a border before each column and after the last.
PADDING_PER_COLUMN = 3
BORDER = 1


def cell(v: Any) -> str:
    """One value as one line of text (``warehouse.cells.text_cell``): lists joined by "; ", structs
    as JSON, None empty, tabs and line breaks as spaces."""
    return text_cell(v)


def to_tsv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Tab-separated, a header line first; tabs and line breaks inside values become spaces."""
    return "\n".join("\t".join(cell(v) for v in r) for r in [columns, *rows])


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(v) for v in r])
    return buf.getvalue().rstrip("\n")


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([{c: jsonable(v) for c, v in zip(columns, r)} for r in rows], ensure_ascii=False, indent=2)


def to_jsonl(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return "\n".join(json.dumps({c: jsonable(v) for c, v in zip(columns, r)}, ensure_ascii=False) for r in rows)


WRITERS = {"tsv": to_tsv, "csv": to_csv, "json": to_json, "jsonl": to_jsonl}


def fit_widths(natural: Sequence[int], available: int, floors: Sequence[int]) -> list[int]:
    """Column widths that fit ``available`` characters: every column whose natural width is at most a
    common cap keeps it, wider ones are cut to the cap (the widest give way first), none below its
    floor. When even the floors do not fit, the floors (the table is then wider than asked)."""
    floors = [min(f, n) for f, n in zip(floors, natural)]
    if sum(natural) <= available:
        return list(natural)
    if sum(floors) >= available:
        return floors

    def widths(cap: int) -> list[int]:
        return [max(f, min(n, cap)) for n, f in zip(natural, floors)]

    lo, hi = 0, max(natural)  # the largest cap whose widths fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(widths(mid)) <= available:
            lo = mid
        else:
            hi = mid - 1
    out = widths(lo)
    spare = available - sum(out)
    for i in sorted(range(len(out)), key=lambda i: -natural[i]):  # hand what is left to the cut columns
        if spare <= 0:
            break
        extra = min(spare, natural[i] - out[i])
        out[i] += extra
        spare -= extra
    return out


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int, title: Optional[str] = None) -> Table:
    """A rich table of ``rows`` no wider than ``width``; cells are plain text (no markup)."""
    from rich.table import Table  # only a table loads rich's tables: TSV, CSV and JSON are written as they are
    from rich.text import Text

    texts = [[cell(v) for v in r] for r in rows]
    natural = [max([len(c), *(len(r[i]) for r in texts)]) for i, c in enumerate(columns)]
    room = max(width - PADDING_PER_COLUMN * len(columns) - BORDER, len(columns))
    # whole headers if they fit, else a few characters of each, else an even share of the room
    candidates = (
        [max(len(c), MIN_COLUMN) for c in columns],
        [MIN_COLUMN] * len(columns),
        [room // len(columns)] * len(columns),
    )
    floors = next((f for f in candidates if sum(map(min, f, natural)) <= room), candidates[-1])
    t = Table(title=title)
    for c, w in zip(columns, fit_widths(natural, room, floors)):
        t.add_column(Text(c), width=max(w, 1), no_wrap=True, overflow="ellipsis")
    for r in texts:
        t.add_row(*(Text(c) for c in r))
    return t


def write(
    out: Console, fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: Optional[str] = None
) -> None:
    """``rows`` to ``out`` as ``fmt``: table (fits the console's width), tsv, csv, json or jsonl."""
    if fmt == "table":
        out.print(table(columns, rows, out.width, title))
        return
    raw(out, WRITERS[fmt](columns, rows))


def raw(out: Console, text: str) -> None:
    """``text`` and a line break to the console's file exactly as it is (rich would expand tabs)."""
    out.file.write(text + "\n")
    out.file.flush()
