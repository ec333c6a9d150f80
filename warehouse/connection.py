"""A connection to a payerkg database: open (creating or migrating it), read, load.

Read-write opens apply pending migrations (``warehouse.migrations``) and re-create the views from
``warehouse/views/*.sql`` when they differ from the database's (``schema_views`` keeps their hash);
read-only opens refuse a database of another schema version, or with other views, with a message
that says what to do. The load itself lives in ``warehouse.load``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import duckdb

from extract import Statement, Vocabulary

from . import migrations
from .errors import NoDatabaseError, QueryError, SchemaVersionError, WarehouseError
from .load import load
from .model import LoadBatch, LoadHooks, LoadResult
from .rows import read_stable_ids, read_statements

if TYPE_CHECKING:
    from graph import KnowledgeGraph


def _payerkg_version() -> str:
    try:
        return metadata.version("payerkg")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def _views() -> list[str]:
    folder = resources.files("warehouse").joinpath("views")
    return [
        v.read_text(encoding="utf-8") for v in sorted(folder.iterdir(), key=lambda p: p.name) if v.name.endswith(".sql")
    ]


#: the views and macros of this payerkg (``views/*.sql``), by content
VIEWS_SHA = hashlib.sha256("\n".join(_views()).encode()).hexdigest()[:16]


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the views and macros, and record which ones the database has (``schema_views``)."""
    for sql in _views():
        con.execute(sql)
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (sha VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)")
    con.execute("DELETE FROM schema_views")
    con.execute("INSERT INTO schema_views VALUES (?, current_timestamp)", [VIEWS_SHA])


def _views_sha(con: duckdb.DuckDBPyConnection) -> Optional[str]:
    try:
        rows = con.execute("SELECT sha FROM schema_views").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


class Warehouse:
    """One open database. ``migrated_from`` is the schema version a read-write open upgraded from
    (None when there was nothing to migrate)."""

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = str(path)
        self.migrated_from: Optional[int] = None
        if read_only and not Path(path).exists():
            raise NoDatabaseError(f"{self.path}: no such database; run `payerkg build --db {self.path}` first")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise WarehouseError(f"{self.path}: cannot open the database: {e}") from e
        try:
            if read_only:
                migrations.check_readable(self.con, self.path)
                if _views_sha(self.con) != VIEWS_SHA:
                    raise SchemaVersionError(
                        f"{self.path}: the database's views are another payerkg version's; run "
                        f"`payerkg migrate --db {self.path}` (or build into it) to re-create them"
                    )
            else:
                self.migrated_from = migrations.upgrade(self.con, self.path, _payerkg_version())
                if _views_sha(self.con) != VIEWS_SHA:  # views change without a schema change too
                    create_views(self.con)
        except BaseException:
            self.con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------------
    def query(self, sql: str, params: Optional[Sequence[Any]] = None) -> tuple[list[str], list[tuple]]:
        """Columns and rows of ``sql``. Raises ``QueryError`` when DuckDB does."""
        try:
            cur = self.con.execute(sql, list(params or []))
            cols = [d[0] for d in cur.description] if cur.description else []
            return cols, cur.fetchall()
        except duckdb.Error as e:
            raise QueryError(str(e)) from e

    def relation(self, sql: str, params: Optional[Sequence[Any]] = None) -> Optional[duckdb.DuckDBPyRelation]:
        """``sql`` as a lazy DuckDB relation (``.df()``, ``.fetchall()``, ``.columns``); None for a statement
        that returns no rows. Raises ``QueryError``."""
        try:
            return self.con.sql(sql, params=list(params) if params else None)
        except duckdb.Error as e:
            raise QueryError(str(e)) from e

    def loaded(self) -> dict[str, tuple[str, str]]:
        """doc_id → (extract signature, status) for every document ever loaded."""
        rows = self.con.execute("SELECT doc_id, extract_sig, status FROM documents").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def statements(self, active_only: bool = True, doc_ids: Optional[Sequence[str]] = None) -> list[Statement]:
        """Statements as typed records: those of active documents, or of ``doc_ids`` whatever their status."""
        return read_statements(self.con, active_only, doc_ids)

    def stable_ids(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return read_stable_ids(self.con, doc_ids)

    def documents_by_prefix(self, prefix: str) -> list[tuple[str, str, int]]:
        """(doc_id, source, version) of the documents whose id starts with ``prefix``."""
        return self.query(
            "SELECT doc_id, source, version FROM documents WHERE starts_with(doc_id, ?) ORDER BY doc_id",
            [prefix.lower()],
        )[1]

    def graph(self, vocab: Vocabulary | None = None) -> KnowledgeGraph:
        from graph import DocumentInfo, KnowledgeGraph  # networkx: only what uses the graph loads it

        kg = KnowledgeGraph(vocab)
        for doc_id, source, title in self.con.execute(
            "SELECT doc_id, source, title FROM documents WHERE status = 'active' ORDER BY doc_id"
        ).fetchall():
            kg.add_document(DocumentInfo(doc_id, source, title or ""))
        return kg.add(self.statements())

    # -- writing -----------------------------------------------------------------------------------
    def load(self, batch: LoadBatch, hooks: Optional[LoadHooks] = None) -> LoadResult:
        """Write one build in one transaction (``warehouse.load``). Raises ``LoadError`` (rolled back)."""
        return load(self.con, self.path, batch, hooks)
