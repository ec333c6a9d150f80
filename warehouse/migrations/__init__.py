"""Schema versions: numbered migrations in this folder, applied in order, recorded in ``schema_version``.

A migration is a file ``NNNN_name.sql`` (statements run as they are) or ``NNNN_name.py`` (a module
with ``migrate(con)``). The database's version is the highest applied; a database without the
``schema_version`` table but with payerkg's tables comes from before schema versions (migration 1
is idempotent, so it applies there too). Opening a database:

* read-write (a build, ``payerkg migrate``): pending migrations run in one transaction, so a failed
  migration leaves the database as it was;
* read-only (query, who, conflicts, export, diff): a database of another version is refused with a
  message that names its version and what to do.

A database newer than this payerkg is always refused. Never edit a migration that has been
released: add the next one (docs/architecture.md, "Schema versions").
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.abc import Traversable
from typing import Optional

import duckdb

from ..errors import SchemaVersionError, WarehouseError

_FILE = re.compile(r"(\d{4})_(\w+)\.(sql|py)")
#: tables every payerkg database has had, with or without schema versions
CORE_TABLES = frozenset({"builds", "documents", "statements"})


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    file: Traversable

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.file.name.endswith(".sql"):
            con.execute(self.file.read_text(encoding="utf-8"))
        else:
            module = importlib.import_module(f"{__name__}.{self.file.name[:-3]}")
            module.migrate(con)


def available() -> list[Migration]:
    out = []
    for f in resources.files(__name__).iterdir():
        m = _FILE.fullmatch(f.name)
        if m:
            out.append(Migration(int(m.group(1)), m.group(2), f))
    out.sort(key=lambda m: m.version)
    assert [m.version for m in out] == list(range(1, len(out) + 1)), "migrations are numbered 1, 2, 3, … without gaps"
    return out


#: the schema version this payerkg reads and writes
SCHEMA_VERSION = len(available())


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def current_version(con: duckdb.DuckDBPyConnection, path: str) -> int:
    """The database's schema version: 0 for an empty database or one from before schema versions."""
    tables = _tables(con)
    if "schema_version" in tables:
        return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])
    if tables and not tables >= CORE_TABLES:
        raise SchemaVersionError(f"{path}: not a payerkg database (it has tables {', '.join(sorted(tables))})")
    return 0


def _written_by(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT payerkg_version FROM schema_version ORDER BY version DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else "?"


def _describe(version: int) -> str:
    return "from before schema versions" if version == 0 else f"at schema version {version}"


def check_readable(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Refuse (``SchemaVersionError``) a database this payerkg cannot read as it is."""
    version = current_version(con, path)
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path}: the database is at schema version {version} (written by payerkg {_written_by(con)}); this "
            f"payerkg reads version {SCHEMA_VERSION}. Upgrade payerkg to read it."
        )
    if version == 0 and not _tables(con) >= CORE_TABLES:
        raise SchemaVersionError(f"{path}: the database is empty; run `payerkg build --db {path}` first")
    raise SchemaVersionError(
        f"{path}: the database is {_describe(version)}; this payerkg reads version {SCHEMA_VERSION}. "
        f"Run `payerkg migrate --db {path}` to upgrade it in place (or build into it, which migrates first); "
        "keep a copy if an older payerkg must still read it."
    )


def upgrade(con: duckdb.DuckDBPyConnection, path: str, payerkg_version: str) -> Optional[int]:
    """Apply the pending migrations in one transaction. Returns the version migrated from, or None
    when the database was at this version already (or new and empty: then it is just created)."""
    version = current_version(con, path)
    if version > SCHEMA_VERSION:
        check_readable(con, path)  # raises: newer than this payerkg
    if version == SCHEMA_VERSION:
        return None
    fresh = version == 0 and not _tables(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("""CREATE TABLE IF NOT EXISTS schema_version (
                           version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL,
                           payerkg_version VARCHAR NOT NULL)""")
        for m in available()[version:]:
            m.apply(con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?, ?)", [m.version, m.name, datetime.now(), payerkg_version]
            )
        con.execute("COMMIT")
    except BaseException as e:
        con.execute("ROLLBACK")
        if isinstance(e, duckdb.Error):
            raise WarehouseError(
                f"{path}: migrating from schema version {version} failed, database unchanged: {e}"
            ) from e
        raise
    return None if fresh else version
