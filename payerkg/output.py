"""Rendering rows for people (rich tables) and machines (csv, json, jsonl); data goes to stdout."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence


def _jsonable(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([{c: _jsonable(v) for c, v in zip(columns, r)} for r in rows], ensure_ascii=False, indent=2)


def to_jsonl(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return "\n".join(json.dumps({c: _jsonable(v) for c, v in zip(columns, r)}, ensure_ascii=False) for r in rows)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["; ".join(map(str, v)) if isinstance(v, (list, tuple)) else ("" if v is None else v) for v in r])
    return buf.getvalue().rstrip("\n")


def print_table(console, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(str(c), overflow="fold")
    for r in rows:
        t.add_row(*["; ".join(map(str, v)) if isinstance(v, (list, tuple)) else ("" if v is None else str(v)) for v in r])
    console.print(t)


def render(fmt: str, console, columns, rows, title=None) -> None:
    """Write rows in ``fmt`` (table|csv|json|jsonl) to the console's stdout."""
    if fmt == "table":
        print_table(console, columns, rows, title)
    elif fmt == "csv":
        console.out(to_csv(columns, rows), highlight=False)
    elif fmt == "json":
        console.out(to_json(columns, rows), highlight=False)
    elif fmt == "jsonl":
        console.out(to_jsonl(columns, rows), highlight=False)
    else:
        raise ValueError(f"unknown format {fmt!r}")
