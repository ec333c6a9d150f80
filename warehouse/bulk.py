"""Bulk writes: rows go in as one Arrow table per statement, never row by row.

The Arrow schema is read from the target table itself, so a column that is NULL in every row, an
empty list or a struct gets the table's type, and the Python side needs no type map of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pyarrow (and numpy) load on the first insert: commands that only read never need them
    import pyarrow as pa


def table_schema(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str]) -> pa.Schema:
    return con.sql(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0").to_arrow_table().schema


#: Rows ``insert_rows`` converts to Arrow and inserts at a time (a build's change log has a row per
#: rule, each with the rule as JSON: one Arrow table of them all doubled what the rows took).
ROWS_PER_INSERT = 4000


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys, which name columns of ``table``), in order, in inserts
    of ``ROWS_PER_INSERT``. Returns the count."""
    if not rows:
        return 0
    import pyarrow as pa

    columns = list(rows[0])
    schema = table_schema(con, table, columns)
    count = 0
    for start in range(0, len(rows), ROWS_PER_INSERT):
        part = [dict(r) for r in rows[start : start + ROWS_PER_INSERT]]
        count += _insert(con, table, columns, pa.Table.from_pylist(part, schema=schema))
    return count


def insert_columns(con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert column-wise data (name → values, all of one length). Returns the count."""
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return 0
    import pyarrow as pa

    schema = table_schema(con, table, names)
    arrow = pa.table({n: pa.array(columns[n], type=schema.field(n).type) for n in names})
    return _insert(con, table, names, arrow)


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], arrow: pa.Table) -> int:
    # The Arrow table is scanned through a relation, not ``con.register``: a registered table is a
    # view in the connection's catalog, and inside a transaction a dropped catalog entry (unregister)
    # is kept until COMMIT, with the Arrow table it holds, so a build kept every batch it ever wrote.
    con.from_arrow(arrow).query(
        "_bulk_rows", f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _bulk_rows"
    )
    return int(arrow.num_rows)
