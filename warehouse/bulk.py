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
    return _insert(con, table, names, arrow_table(con, table, columns))


def arrow_table(con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """Column-wise data (name → values) as an Arrow table with the types of ``table``'s columns."""
    import pyarrow as pa

    schema = table_schema(con, table, list(columns))
    return pa.table({n: pa.array(values, type=schema.field(n).type) for n, values in columns.items()})


class Staged:
    """Rows of ``table`` kept in a temporary file (an Arrow stream) as they come, and appended to the
    table in one INSERT by ``insert``. DuckDB keeps the rows of a transaction's many small inserts in
    memory until COMMIT; one large insert it writes to the database file as it goes, compressed, in
    row groups (its "optimistic write", with more than one thread), so a build's blocks (the most rows
    it writes: ~150,000 and ~47 MiB in DuckDB at 1,000 documents) need not all be in memory at its
    end. Rows keep their order. The file (in ``directory``, default the system's) has no name and
    goes when it is closed, or with the process."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, directory: str | None = None):
        self.con, self.table, self.directory = con, table, directory
        self._file: Any = None
        self._writer: Any = None
        self._columns: list[str] = []
        self._rows = 0

    def write(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """Add column-wise rows (name → values, the same names each time)."""
        names = list(columns)
        if not names or not len(columns[names[0]]):
            return
        arrow = arrow_table(self.con, self.table, columns)
        if self._writer is None:
            import tempfile

            import pyarrow as pa

            self._file = tempfile.TemporaryFile(dir=self.directory, prefix="payerkg-load-")  # noqa: SIM115 — insert() or close() closes it
            self._writer = pa.ipc.new_stream(self._file, arrow.schema)
            self._columns = names
        self._writer.write_table(arrow)
        self._rows += arrow.num_rows

    def insert(self) -> int:
        """Append every row written so far to the table, in one INSERT. Returns the count."""
        if self._writer is None:
            return 0
        import pyarrow as pa

        self._writer.close()
        self._file.seek(0)
        count, cols = self._rows, ", ".join(self._columns)
        try:
            rows = pa.ipc.open_stream(self._file)
            self.con.from_arrow(rows).query(
                "_bulk_rows", f"INSERT INTO {self.table} ({cols}) SELECT {cols} FROM _bulk_rows"
            )
        finally:
            self.close()
        return count

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._writer = None
        self._rows = 0


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], arrow: pa.Table) -> int:
    # The Arrow table is scanned through a relation, not ``con.register``: a registered table is a
    # view in the connection's catalog, and inside a transaction a dropped catalog entry (unregister)
    # is kept until COMMIT, with the Arrow table it holds, so a build kept every batch it ever wrote.
    con.from_arrow(arrow).query(
        "_bulk_rows", f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _bulk_rows"
    )
    return int(arrow.num_rows)
