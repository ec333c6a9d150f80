"""The batches the validation suites read, made in place: one temporary table per asset (and per asset's
rows of the documents a build loaded), computed by SQL on the build's own connection, inside its
transaction (``warehouse.checks.ASSETS``).

A build validates them in a process of its own (``payerkg.validator``), so that its driver never
imports great-expectations: ``write_batches`` copies each table to an Arrow stream file, and
``load_batches`` loads those files, in that process, into an in-memory DuckDB under the same names.
The rows, their order and their types are the same; great-expectations' SQL runs on DuckDB there as
it would on the build's connection.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Optional

import duckdb

from .checks import ASSETS, asset_sql
from .connection import release_memory

#: rows DuckDB hands to the Arrow file at a time (a batch table is copied without being held whole)
EXPORT_ROWS = 10_000

Passed = Collection[tuple[str, str, Optional[str], str]]


def batch_tables(con: duckdb.DuckDBPyConnection, build_id: int, passed: Passed) -> dict[str, str]:
    """name → temporary table of each batch a suite may read: every asset whole, and the rows of the
    documents build ``build_id`` loaded of each asset some check passed on last time (its row-local
    checks may run on those only; a table no suite reads is dropped unread)."""
    tables: dict[str, str] = {}
    try:
        for asset, (_, _, changed_only) in ASSETS.items():
            batches = [(asset, asset_sql(asset))]
            if changed_only is not None and any(p[0] == asset for p in passed):
                batches.append((f"{asset}_changed", asset_sql(asset, build_id)))
            for name, sql in batches:
                table = tables[name] = table_name(name)
                con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    except BaseException:
        drop_tables(con, tables)
        raise
    return tables


def table_name(batch: str) -> str:
    return f"_payerkg_check_{batch}"


def drop_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, str]) -> None:
    for table in tables.values():
        con.execute(f"DROP TABLE IF EXISTS {table}")


def write_batches(con: duckdb.DuckDBPyConnection, build_id: int, passed: Passed, folder: str | Path) -> dict[str, str]:
    """Make the batch tables in place and copy each to an Arrow stream file in ``folder``; name → file.
    The tables are dropped, and what DuckDB used to make them handed back (``release_memory``)."""
    import pyarrow as pa

    tables = batch_tables(con, build_id, passed)
    files = {}
    try:
        for name, table in tables.items():
            rows = con.sql(f"SELECT * FROM {table}").to_arrow_reader(EXPORT_ROWS)
            files[name] = str(Path(folder) / f"{name}.arrows")
            with pa.OSFile(files[name], "wb") as sink, pa.ipc.new_stream(sink, rows.schema) as out:
                for batch in rows:
                    out.write_batch(batch)
    finally:
        drop_tables(con, tables)
    release_memory(con)
    return files


def load_batches(con: duckdb.DuckDBPyConnection, files: Mapping[str, str]) -> dict[str, str]:
    """Load the files of ``write_batches`` into ``con`` as the tables they were; name → table."""
    import pyarrow as pa

    tables = {}
    for name, path in files.items():
        tables[name] = table_name(name)
        with pa.OSFile(path, "rb") as source:
            rows = pa.ipc.open_stream(source)
            con.from_arrow(rows).query("_batch_rows", f"CREATE TEMP TABLE {tables[name]} AS SELECT * FROM _batch_rows")
    return tables
