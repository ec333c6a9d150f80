"""Feeds for downstream rule stores: the rules (jsonl, csv, parquet), the change feed, the graph.

Every export is written to a temporary file next to the target and renamed, so a reader never sees
half a file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional

import duckdb

from extract import CONTRACT_COLUMNS, Vocabulary

from .cells import jsonable, text_cell
from .connection import Warehouse
from .errors import ArgumentError

RULE_FORMATS = ("jsonl", "csv", "parquet")
GRAPH_FORMATS = ("graphml", "json")
FORMATS = RULE_FORMATS + GRAPH_FORMATS


@dataclass(frozen=True)
class Export:
    """What an export wrote: ``count`` items of ``unit`` (rules, events or graph nodes) to ``path``."""

    path: Path
    format: str
    count: int
    unit: str


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def export(
    wh: Warehouse, path: str | Path, fmt: str = "jsonl", since: Optional[str] = None, vocab: Vocabulary | None = None
) -> Export:
    """Write the rules (jsonl, csv, parquet: the ``coverage_rules`` rows, by rule_id), the change feed after
    ``since`` (jsonl only: a build id or a date) or the knowledge graph (graphml, json)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ArgumentError(f"unknown export format {fmt!r}; one of: {', '.join(FORMATS)}")
    if since is not None and fmt != "jsonl":
        raise ArgumentError("--since needs --format jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    if since is not None:
        feed = events(wh.con, resolve_since(wh.con, since))
        _write_atomic(path, "".join(json.dumps(jsonable(e), ensure_ascii=False) + "\n" for e in feed))
        return Export(path, fmt, len(feed), "events")
    if fmt in GRAPH_FORMATS:
        kg = wh.graph(vocab)
        (kg.write_graphml if fmt == "graphml" else kg.write_json)(path)
        return Export(path, fmt, kg.g.number_of_nodes(), "graph nodes")
    rules = "SELECT * FROM coverage_rules ORDER BY rule_id"
    if fmt == "parquet":
        tmp = path.with_suffix(path.suffix + ".tmp")
        wh.con.execute(f"COPY ({rules}) TO '{_sql_str(tmp)}' (FORMAT parquet)")
        tmp.replace(path)
        return Export(path, fmt, wh.query("SELECT count(*) FROM coverage_rules")[1][0][0], "rules")
    cols, rows = wh.query(rules)
    assert cols == CONTRACT_COLUMNS, cols
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([text_cell(v) for v in r] for r in rows)
        _write_atomic(path, buf.getvalue())
        return Export(path, fmt, len(rows), "rules")
    text = "".join(json.dumps({c: jsonable(v) for c, v in zip(cols, r)}, ensure_ascii=False) + "\n" for r in rows)
    _write_atomic(path, text)
    return Export(path, fmt, len(rows), "rules")


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")


def resolve_since(con: duckdb.DuckDBPyConnection, since: str) -> int:
    """``--since``: a build id (``3``) or a date (``2026-11-01``: the builds started on or after it).
    Returns the last build *before* the window."""
    text = since.strip()
    if text.isdigit():
        return int(text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ArgumentError(f"--since {since!r}: expected a build id (e.g. 3) or a date (YYYY-MM-DD)") from None
    return int(
        con.execute("SELECT coalesce(max(build_id), 0) FROM builds WHERE started_at < ?", [day]).fetchall()[0][0]
    )


def events(con: duckdb.DuckDBPyConnection, since_build: int) -> list[dict[str, Any]]:
    """The change feed after ``since_build``, oldest build first. An upsert carries the rule's
    ``coverage_rules`` row with ``rule_id`` set to the stable id; a delete carries none."""
    cur = con.execute(
        """SELECT e.event, e.rule_id, e.build_id, e.doc_key, e.changes, c.*
                         FROM rule_events(?) e LEFT JOIN coverage_rules c ON c.rule_id = e.version_rule_id""",
        [since_build],
    )
    cols = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        head, rule = row[:5], dict(zip(cols[5:], row[5:]))
        event = dict(zip(("event", "rule_id", "build_id", "doc_key", "changes"), head))
        event["version_rule_id"] = rule["rule_id"]
        # the rule under its stable id; version_rule_id is its row in this build's coverage_rules
        event["rule"] = {**rule, "rule_id": event["rule_id"]} if event["event"] == "upsert" else None
        out.append(event)
    return out
