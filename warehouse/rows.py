"""Statements to table rows and back, through the contract's one mapping (``extract/model.py``).

``Statement.to_row`` / ``exception_rows`` give the rows and ``Statement.from_row`` reads them back;
this module only adds what the warehouse keeps of its own (``stable_id``) and the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional

import duckdb

from extract import Statement
from extract.model import EXCEPTION_COLUMNS, STATEMENT_COLUMNS

from .bulk import insert_columns

STATEMENT_NAMES = (*(c.name for c in STATEMENT_COLUMNS), "stable_id")
EXCEPTION_NAMES = tuple(c.name for c in EXCEPTION_COLUMNS)


#: Statements converted to rows and inserted at a time: a build's statements arrive from a generator
#: (each document's unpacked in turn), and converting them all at once held every row as Python
#: objects and again as Arrow (a statement's row is ~2 KB with its explain list: 20,000 statements
#: of a 1,000-document build took ~150 MiB). Rows keep their order whatever the batch size.
STATEMENT_BATCH = 2000


def write_statements(
    con: duckdb.DuckDBPyConnection, statements: Iterable[Statement], stable_ids: Mapping[str, str]
) -> int:
    """Insert statements (with their exceptions) in bulk inserts of ``STATEMENT_BATCH`` statements.
    Returns the statements written."""
    written = 0
    st: dict[str, list[Any]] = {n: [] for n in STATEMENT_NAMES}
    ex: dict[str, list[Any]] = {n: [] for n in EXCEPTION_NAMES}
    for s in statements:
        row = s.to_row()
        row["stable_id"] = stable_ids[s.rule_id]
        for n in STATEMENT_NAMES:
            st[n].append(row[n])
        for r in s.exception_rows():
            for n in EXCEPTION_NAMES:
                ex[n].append(r[n])
        if len(st["rule_id"]) >= STATEMENT_BATCH:
            insert_columns(con, "exceptions", ex)
            written += insert_columns(con, "statements", st)
            st, ex = {n: [] for n in STATEMENT_NAMES}, {n: [] for n in EXCEPTION_NAMES}
    insert_columns(con, "exceptions", ex)
    return written + insert_columns(con, "statements", st)


def read_statements(
    con: duckdb.DuckDBPyConnection, active_only: bool = True, doc_ids: Optional[Sequence[str]] = None
) -> list[Statement]:
    """Statements as typed records, ordered by rule_id: those of active documents, or of ``doc_ids``
    whatever their status. Two queries (statements, exceptions) whatever the number of documents."""
    where, params = ("WHERE d.status = 'active'" if active_only else ""), []
    if doc_ids is not None:
        where, params = "WHERE s.doc_id IN (SELECT unnest(?::VARCHAR[]))", [list(doc_ids)]
    refs: dict[str, list[dict[str, Any]]] = {}
    cur = con.execute(
        f"""SELECT e.* FROM exceptions e JOIN statements s USING (rule_id)
                          JOIN documents d ON d.doc_id = s.doc_id {where}""",
        params,
    )
    cols = [d[0] for d in cur.description]
    for values in cur.fetchall():
        r = dict(zip(cols, values))
        refs.setdefault(r["rule_id"], []).append(r)
    cur = con.execute(
        f"SELECT s.* FROM statements s JOIN documents d USING (doc_id) {where} ORDER BY s.rule_id", params
    )
    cols = [d[0] for d in cur.description]
    out = []
    for values in cur.fetchall():
        row = dict(zip(cols, values))
        out.append(Statement.from_row(row, refs.get(row["rule_id"], ())))
    return out


def read_stable_ids(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> dict[str, str]:
    """rule_id → stable id for the statements of ``doc_ids`` (the rule id itself where none was kept)."""
    return dict(
        con.execute(
            "SELECT rule_id, coalesce(stable_id, rule_id) FROM statements "
            "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(doc_ids)],
        ).fetchall()
    )
