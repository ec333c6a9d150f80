"""A connection to a payerkg database: open (creating or migrating it), read, load.

Read-write opens apply pending migrations (``warehouse.migrations``) and re-create the views from
``warehouse/views/*.sql`` when they differ from the database's (``schema_views`` keeps their hash);
read-only opens refuse a database of another schema version, or with other views, with a message
that says what to do. The load itself lives in ``warehouse.load``.

A database another process holds (DuckDB allows one writer, or many readers) is waited for up to
``wait`` seconds, then refused with ``DatabaseBusyError``. A *sandboxed* open (read-only, for SQL
from users) attaches the file to an in-memory DuckDB whose configuration then forbids reading or
writing any other file (``COPY … TO``, ``read_csv``, ``ATTACH``, extensions) and is locked.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import duckdb

from . import migrations
from .errors import DatabaseBusyError, NoDatabaseError, QueryError, SchemaVersionError, WarehouseError

if TYPE_CHECKING:  # a read-only open loads neither extraction's records nor the load's
    from extract import Statement, Vocabulary
    from graph import KnowledgeGraph

    from .load import Load as StreamingLoad
    from .model import LoadBatch, LoadHooks, LoadResult


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


@functools.lru_cache(maxsize=1)
def _default_memory_limit() -> str:
    with duckdb.connect() as probe:
        return str(probe.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def release_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Hand the memory DuckDB keeps from finished work back to the system: the allocator's freed pages
    (DuckDB's jemalloc purges them only when told), and after a COMMIT the buffers that held the
    transaction's rows. DuckDB has no statement for this; (re)setting its memory limit evicts what is
    over the limit (nothing, at the default limit: 80% of RAM) and then purges the allocator: 100-140 MiB
    on a 1,000-document build after the conflict counts and after COMMIT (issue 16). A connection whose
    limit someone set is left alone (resetting would change it). Safe inside a transaction."""
    if con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == _default_memory_limit():
        con.execute("RESET memory_limit")


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


_LOCKED = "Could not set lock on file"
#: what DuckDB says when a sandboxed connection touches a file, or its settings
_SANDBOXED = ("disabled by configuration", "disabled through configuration", "configuration has been locked")
#: first and longest pause between attempts to open a database another process holds (seconds)
_RETRY_FIRST, _RETRY_MAX = 0.05, 1.0
#: DuckDB settings of a read-write open (a build, a migration, a review). ``allocator_background_threads``:
#: DuckDB's allocator hands memory its queries freed back to the system in the background, instead of
#: keeping it for DuckDB's next query; a build's last steps (conflict counts, validation with
#: great-expectations, the report) each need a few hundred MiB at 1,000 documents, half of it Python's,
#: which cannot reuse what DuckDB keeps (issue 16: peak RSS).
WRITE_SETTINGS = {"allocator_background_threads": "true"}


class Warehouse:
    """One open database. ``migrated_from`` is the schema version a read-write open upgraded from
    (None when there was nothing to migrate). ``wait``: seconds to wait for a database another
    process holds (``on_wait`` is told once, with a message, when waiting starts); ``sandbox``
    (read-only opens): SQL on this connection cannot read or write files."""

    def __init__(
        self,
        path: str | Path,
        read_only: bool = False,
        *,
        wait: float = 0.0,
        on_wait: Optional[Callable[[str], None]] = None,
        sandbox: bool = False,
    ):
        self.path = str(path)
        self.migrated_from: Optional[int] = None
        self.sandboxed = sandbox and read_only
        if read_only and not Path(path).exists():
            raise NoDatabaseError(f"{self.path}: no such database; run `payerkg build --db {self.path}` first")
        if Path(path).is_dir():
            raise WarehouseError(f"{self.path}: is a folder, not a database file")
        self.con = self._connect(read_only, wait, on_wait)
        try:
            if read_only:
                migrations.check_readable(self.con, self.path)
                if _views_sha(self.con) != VIEWS_SHA:
                    raise SchemaVersionError(
                        f"{self.path}: the database's views are another payerkg version's; run "
                        f"`payerkg migrate --db {self.path}` (or build into it) to re-create them"
                    )
            else:
                for name, value in WRITE_SETTINGS.items():
                    self.con.execute(f"SET {name} = {value}")
                self.migrated_from = migrations.upgrade(self.con, self.path, _payerkg_version())
                if _views_sha(self.con) != VIEWS_SHA:  # views change without a schema change too
                    create_views(self.con)
            if self.sandboxed:
                self.con.execute("SET enable_external_access = false")
                self.con.execute("SET lock_configuration = true")
        except duckdb.Error as e:
            self.con.close()
            raise WarehouseError(f"{self.path}: cannot read the database: {_first_line(e)}") from e
        except BaseException:
            self.con.close()
            raise

    def _connect(
        self, read_only: bool, wait: float, on_wait: Optional[Callable[[str], None]]
    ) -> duckdb.DuckDBPyConnection:
        """Connect, waiting up to ``wait`` seconds while another process holds the database."""
        deadline = time.monotonic() + wait
        pause, told = _RETRY_FIRST, False
        while True:
            try:
                if not self.sandboxed:
                    return duckdb.connect(self.path, read_only=read_only)
                con = duckdb.connect(":memory:")
                try:
                    con.execute(f"ATTACH '{_sql_str(self.path)}' AS {_alias(self.path)} (READ_ONLY)")
                    con.execute(f"USE {_alias(self.path)}")
                except BaseException:
                    con.close()
                    raise
                return con
            except duckdb.Error as e:
                if _LOCKED not in str(e):
                    raise WarehouseError(f"{self.path}: cannot open the database: {_first_line(e)}") from e
                holder = _holder(str(e))
                left = deadline - time.monotonic()
                if left <= 0:
                    if read_only:
                        raise DatabaseBusyError(
                            f"{self.path}: the database is being built ({holder} is writing it); "
                            "try again when the build finishes"
                        ) from e
                    raise DatabaseBusyError(
                        f"{self.path}: {holder} has the database open (a build, or a reader); waited "
                        f"{wait:g} s (--wait); try again when it is done"
                    ) from e
                if not told and on_wait is not None:
                    on_wait(f"{self.path}: {holder} has the database open; waiting up to {wait:g} s for it")
                told = True
                time.sleep(min(pause, left))
                pause = min(pause * 2, _RETRY_MAX)

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
            raise self._query_error(e) from e

    def relation(self, sql: str, params: Optional[Sequence[Any]] = None) -> Optional[duckdb.DuckDBPyRelation]:
        """``sql`` as a lazy DuckDB relation (``.df()``, ``.fetchall()``, ``.columns``); None for a statement
        that returns no rows. Raises ``QueryError``."""
        try:
            return self.con.sql(sql, params=list(params) if params else None)
        except duckdb.Error as e:
            raise self._query_error(e) from e

    def _query_error(self, e: duckdb.Error) -> QueryError:
        if self.sandboxed and any(s in str(e) for s in _SANDBOXED):
            return QueryError(
                f"{_first_line(e)} — SQL here reads and writes no files and cannot change settings "
                "(`payerkg query --allow-files`, or payerkg.open(db, allow_files=True), to allow files)"
            )
        return QueryError(str(e))

    def loaded(self) -> dict[str, tuple[str, str]]:
        """doc_id → (extract signature, status) for every document ever loaded."""
        rows = self.con.execute("SELECT doc_id, extract_sig, status FROM documents").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def statements(self, active_only: bool = True, doc_ids: Optional[Sequence[str]] = None) -> list[Statement]:
        """Statements as typed records: those of active documents, or of ``doc_ids`` whatever their status."""
        from .rows import read_statements

        return read_statements(self.con, active_only, doc_ids)

    def stable_ids(self, doc_ids: Sequence[str]) -> dict[str, str]:
        from .rows import read_stable_ids

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
    # (a sandboxed connection is read-only: ATTACH … READ_ONLY)
    def stream(
        self,
        inputs: Sequence[str],
        vocab: Vocabulary,
        extract_sig: str,
        hooks: Optional[LoadHooks] = None,
        prune: bool = False,
    ) -> StreamingLoad:
        """Begin a build's transaction that documents are handed to as they are parsed (``warehouse.load``):
        ``add`` each, then ``finish``. Raises ``LoadError`` (rolled back)."""
        from .load import Load

        return Load(self.con, self.path, inputs, vocab, extract_sig, hooks, prune)

    def load(self, batch: LoadBatch, hooks: Optional[LoadHooks] = None) -> LoadResult:
        """Write one build in one transaction (``warehouse.load``). Raises ``LoadError`` (rolled back)."""
        from .load import load  # the plan and writers: only builds load them

        return load(self.con, self.path, batch, hooks)


def _holder(message: str) -> str:
    """Who holds the lock, from DuckDB's message (``… is held in /usr/bin/python3 (PID 123) …``)."""
    m = re.search(r"\(PID (\d+)\)", message)
    return f"process {m.group(1)}" if m else "another process"


def _first_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _alias(path: str) -> str:
    """The catalog name a sandboxed open gives the database: its file name's stem, as a direct open does."""
    stem = Path(path).stem or "payerkg"
    if stem.lower() in ("memory", "system", "temp", "main"):
        stem = f"{stem}_db"
    return '"' + stem.replace('"', '""') + '"'
