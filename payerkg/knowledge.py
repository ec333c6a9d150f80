"""The library's reading side: a built database as a ``Knowledge`` object, diffs, one-file extraction.

Everything returns typed results and prints nothing; errors are ``PayerkgError``s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import warehouse
from warehouse import NoDatabaseError, Warehouse
from warehouse.errors import ArgumentError

from .config import BuildConfig, ConfigLike

if TYPE_CHECKING:  # each method imports what it needs when it runs: `query` loads neither `who` nor extraction
    import duckdb

    from extract import Extraction, Statement, Vocabulary
    from graph import KnowledgeGraph
    from ingest import IngestOptions, InputError
    from warehouse.conflicts import Conflict
    from warehouse.diff import Diff
    from warehouse.export import Export
    from warehouse.who import Answer

#: the schema version this payerkg reads and writes (``warehouse/migrations``)
SCHEMA_VERSION = warehouse.SCHEMA_VERSION


@dataclass(frozen=True)
class Rows:
    """A query's result: column names and rows of Python values."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


class Knowledge:
    """A built database, opened read-only: who handles what, conflicts, diffs, SQL, exports, the graph.

    SQL given to ``query`` and ``rows`` runs sandboxed: it can read the database, but no other file
    (``read_csv``, ``ATTACH``), write none (``COPY … TO``), load no extension and change no setting
    — unless ``allow_files``. Use it as a context manager, or call ``close()``. Raises
    ``NoDatabaseError`` when ``db`` does not exist, ``DatabaseBusyError`` while a build writes it and
    ``SchemaVersionError`` when it needs migrating (``payerkg.migrate``) or is newer than this payerkg.
    """

    def __init__(self, db: str | Path | None = None, config: ConfigLike = None, *, allow_files: bool = False):
        self.config = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
        self.path = self.config.db
        self.allow_files = allow_files
        # One connection now (its checks raise here): the one user SQL runs on. payerkg's own reads use
        # it too; a second is opened only for what needs files (``export``) when it is sandboxed.
        first = Warehouse(self.path, read_only=True, sandbox=not allow_files)
        self._files: Optional[Warehouse] = None if first.sandboxed else first
        self._sandbox: Optional[Warehouse] = first if first.sandboxed else None

    def close(self) -> None:
        for wh in (self._sandbox, self._files):
            if wh is not None:
                wh.close()

    @property
    def warehouse(self) -> Warehouse:
        """The database, read-only, on a connection that may read and write files (an export writes through
        it); opened on first use when the first connection is the sandboxed one."""
        if self._files is None:
            self._files = Warehouse(self.path, read_only=True)
        return self._files

    @property
    def sql(self) -> Warehouse:
        """The connection user SQL runs on: the sandboxed one unless ``allow_files``."""
        if self.allow_files:
            return self.warehouse
        if self._sandbox is None:  # pragma: no cover - opened by __init__
            self._sandbox = Warehouse(self.path, read_only=True, sandbox=True)
        return self._sandbox

    @property
    def _reads(self) -> Warehouse:
        """Where payerkg's own queries (who, conflicts, statements, the graph) run: whichever connection is
        open; the sandboxed one reads the same tables, and they touch no file."""
        return self._files or self.sql

    def __enter__(self) -> Knowledge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def vocab(self) -> Vocabulary:
        return self.config.vocabulary()

    def who(
        self,
        service: str,
        *,
        payer: Optional[str] = None,
        line_of_business: Optional[str] = None,
        segment: Optional[str] = None,
        group: Optional[str] = None,
        as_of: date | str | None = None,
    ) -> Answer:
        """Which vendor handles ``service`` for a member (names may be aliases, former names, group numbers);
        with ``as_of`` (a date or YYYY-MM-DD), who handled it that day, earlier versions of documents included."""
        from warehouse.who import Question, who

        q = Question(service, payer, line_of_business, segment, group, as_of=day(as_of, "as-of date"))
        return who(self._reads, q, self.vocab)

    def conflicts(self, acknowledged: bool = False) -> list[Conflict]:
        """Contradictions across documents, each with both statements' source, page and quote: the open
        ones, and with ``acknowledged`` those an analyst acknowledged too (``status``, ``note``)."""
        from warehouse.conflicts import read_conflicts

        return read_conflicts(self._reads.con, acknowledged=acknowledged)

    def diff(self, old: str | Path, new: str | Path) -> Diff:
        """What changed between two versions: each a file (extracted now) or a document id (or 6+ of its
        first characters) in this database."""
        return diff_versions(old, new, self.vocab, self.config.ingest_options(), self._reads)

    def query(self, sql: str, params: Optional[Sequence[Any]] = None) -> Optional[duckdb.DuckDBPyRelation]:
        """``sql`` as a DuckDB relation (``.df()`` for pandas, ``.fetchall()``, ``.columns``); the
        connection is read-only and sandboxed unless ``allow_files``. Raises ``QueryError``."""
        return self.sql.relation(sql, params)

    def rows(self, sql: str, params: Optional[Sequence[Any]] = None) -> Rows:
        """``sql``'s columns and rows, fetched (sandboxed unless ``allow_files``). Raises ``QueryError``."""
        cols, rows = self.sql.query(sql, params)
        return Rows(cols, rows)

    def statements(self) -> list[Statement]:
        """The rules of active documents as typed records."""
        return self._reads.statements()

    def export(self, out: str | Path, format: str = "jsonl", since: Optional[str] = None) -> Export:
        """Write the rules (jsonl, parquet), the change feed (jsonl with ``since``: a build id or a date)
        or the knowledge graph (graphml, json) to ``out``. Raises ``ArgumentError`` when ``out`` is a folder."""
        if Path(out).is_dir():
            raise ArgumentError(f"{out}: is a folder; give the file to write")
        folder = next((p for p in Path(out).parents if p.exists()), None)
        if folder is not None and not folder.is_dir():
            raise ArgumentError(f"{out}: {folder} is a file, not a folder")
        from warehouse.export import export as export_to

        wh = self.warehouse if format == "parquet" else self._reads  # DuckDB writes parquet (COPY … TO)
        return export_to(wh, out, format, since, self.vocab)

    def graph(self) -> KnowledgeGraph:
        """The active rules as a networkx knowledge graph (``.g``), entities resolved."""
        return self._reads.graph(self.vocab)


def open(db: str | Path | None = None, config: ConfigLike = None, *, allow_files: bool = False) -> Knowledge:
    """Open a built database (default: ``$PAYERKG_DB`` or ``payerkg.duckdb``) for reading; its SQL
    reads and writes no files unless ``allow_files``."""
    return Knowledge(db, config, allow_files=allow_files)


def day(value: date | str | None, name: str = "date") -> Optional[date]:
    """``value`` as a date (None stays None). Raises ``ArgumentError`` for text that is not YYYY-MM-DD."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(f"{name}: expected a date as YYYY-MM-DD, not {value!r}") from None


def acknowledge(conflict_id: str, note: str, db: str | Path | None = None, config: ConfigLike = None) -> Conflict:
    """Acknowledge the conflict ``conflict_id`` (or the one whose id starts so) with ``note``; the review
    holds while both claims say the same, across rebuilds. Returns the conflict, now acknowledged.
    Raises ``ArgumentError`` (unknown id, empty note), ``NoDatabaseError``."""
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    if not cfg.db.exists():
        raise NoDatabaseError(f"{cfg.db}: no such database; run `payerkg build --db {cfg.db}` first")
    from warehouse.conflicts import acknowledge as acknowledge_conflict

    with Warehouse(cfg.db) as wh:
        return acknowledge_conflict(wh.con, conflict_id, note)


def migrate(db: str | Path | None = None, config: ConfigLike = None) -> Optional[int]:
    """Bring a database to this payerkg's schema version in place. Returns the version it was at
    (0: from before schema versions), or None when there was nothing to do."""
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    if not cfg.db.exists():
        raise NoDatabaseError(f"{cfg.db}: no such database")
    with Warehouse(cfg.db) as wh:
        return wh.migrated_from


def extract(path: str | Path, vocab: Vocabulary | str | Path | None = None, config: ConfigLike = None) -> Extraction:
    """The payer and statements of one file, without a database. ``vocab``: a vocabulary, or the
    path of one (default: the config's). Raises ``InputError``."""
    from extract import Vocabulary

    cfg = BuildConfig.resolve(config)
    if not isinstance(vocab, Vocabulary):
        cfg = cfg.replace(vocab=Path(vocab) if vocab is not None else None)
        vocab = cfg.vocabulary()
    from .parsing import extract_file

    return extract_file(path, vocab, cfg.ingest_options())


def extract_all(
    paths: Iterable[str | Path], config: ConfigLike = None
) -> Iterator[tuple[str, Union[Extraction, InputError]]]:
    """(path, its extraction or the input error that stopped it) for every file under ``paths``.
    Raises ``ArgumentError`` for a path that does not exist or paths without documents."""
    from ingest import InputError

    from .inputs import input_files
    from .parsing import extract_file

    cfg = BuildConfig.resolve(config)
    files = input_files(list(paths))
    vocab, options = cfg.vocabulary(), cfg.ingest_options()
    for path in files:
        try:
            yield str(path), extract_file(path, vocab, options)
        except InputError as e:
            yield str(path), e


def compare(old: str | Path, new: str | Path, db: str | Path | None = None, config: ConfigLike = None) -> Diff:
    """``payerkg.diff``: two versions, each a file or a document id in ``db`` (opened only if needed)."""
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    vocab = cfg.vocabulary()
    if all(Path(x).exists() for x in (old, new)):
        return diff_versions(old, new, vocab, cfg.ingest_options(), None)
    missing = next(str(x) for x in (old, new) if not Path(x).exists())
    if not _is_doc_id(missing):
        raise ArgumentError(f"{missing}: no such file (and not a document id)")  # before any database is opened
    if not cfg.db.exists():
        raise ArgumentError(f"{missing}: no such file, and no database {cfg.db} to look the document id up in")
    with Warehouse(cfg.db, read_only=True) as wh:
        return diff_versions(old, new, vocab, cfg.ingest_options(), wh)


def _is_doc_id(text: str) -> bool:
    return re.fullmatch(r"[0-9a-fA-F]{6,64}", text) is not None


def diff_versions(
    old: str | Path, new: str | Path, vocab: Vocabulary, options: IngestOptions, wh: Optional[Warehouse]
) -> Diff:
    from warehouse.diff import diff

    a = _side(str(old), vocab, options, wh)
    b = _side(str(new), vocab, options, wh)
    d = diff(a[2], b[2], a[0], b[0])
    d.old_label, d.new_label = a[1], b[1]
    return d


def _side(
    arg: str, vocab: Vocabulary, options: IngestOptions, wh: Optional[Warehouse]
) -> tuple[str, str, list[Statement]]:
    """(doc_id, label, statements) of a file (parsed and extracted now) or of a stored document."""
    path = Path(arg)
    if path.exists():
        from ingest import ingest_file

        from .parsing import extractor_for

        doc = ingest_file(path, options)
        return doc.doc_id, path.name, list(extractor_for(vocab).extract(doc).statements)
    if not _is_doc_id(arg):
        raise ArgumentError(f"{arg}: no such file (and not a document id)")
    if wh is None:
        raise ArgumentError(f"{arg}: no such file, and no database to look the document id up in")
    rows = wh.documents_by_prefix(arg)
    if len(rows) != 1:
        many = f"{len(rows)} documents" if rows else "no document"
        raise ArgumentError(
            f"{arg}: {many} in {wh.path} with an id starting so" + ("; give more of the id" if rows else "")
        )
    doc_id, source, version = rows[0]
    return doc_id, f"{Path(source).name} v{version}", wh.statements(doc_ids=[doc_id])
