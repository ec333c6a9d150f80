"""A build's load: one transaction that documents stream into, then a plan, the rest of the writes, COMMIT.

``Load`` is the only place the build's transaction begins and ends. Order inside it:

1. read the document index (``warehouse.snapshot``), once, at the start;
2. each parsed document, as it arrives, is written (``warehouse.stream``: its text, blocks and
   mentions, in batches of Arrow inserts) and dropped; its statements are kept for the plan;
3. once every document is in: plan (``warehouse.plan``: keys, versions and stable ids, from the
   index, the statements of the documents compared and the ids already taken) and write the rest
   (``warehouse.write``: keys and statuses, statements, the change log, counts);
4. the caller's ``before_commit`` hook (the pipeline validates here), then COMMIT.

Any exception rolls everything back, so a failed (or killed) build leaves the database as it was.
The steps reported to ``LoadHooks.on_step`` are those of the end (3 and 4), after parsing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import duckdb

from .conflicts import counts as conflict_counts
from .connection import release_memory
from .errors import LoadError
from .model import Held, LoadBatch, LoadHooks, LoadResult, ParsedDocument
from .plan import plan_documents, plan_rules
from .snapshot import read_index, read_sides, read_taken
from .stream import RowStream, forget
from .versions import Side
from .write import write

if TYPE_CHECKING:
    from extract import Vocabulary
    from ingest import InputError

_log = logging.getLogger(__name__)


class Load:
    """One build's transaction, open from construction to ``finish`` (COMMIT) or ``abort`` (ROLLBACK).

    ``add`` each parsed document as it comes (a second copy of the same bytes is ignored), then
    ``finish`` with the documents found unchanged and the failures. Raises ``LoadError`` (rolled back)
    when DuckDB fails, ``RetirementRefusedError`` (rolled back) when the plan would retire more than half
    of the active documents under the inputs and ``prune`` is not set."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: str,
        inputs: Sequence[str],
        vocab: Vocabulary,
        extract_sig: str,
        hooks: Optional[LoadHooks] = None,
        prune: bool = False,
    ):
        self.con, self.path, self.inputs, self.vocab, self.extract_sig = con, path, inputs, vocab, extract_sig
        self.prune = prune
        self.hooks = hooks or LoadHooks()
        self.held: list[Held] = []
        self.redo_sides: dict[str, Side] = {}  # re-extracted documents: their stored version, read before deleting
        self._seen: set[str] = set()
        self._open = False
        con.execute("BEGIN TRANSACTION")
        self._open = True
        try:
            self.index = read_index(con)
            self.rows = RowStream(con, self.index.next_build_id, extract_sig, _staging_dir(path))
        except BaseException as e:
            self.abort(e)

    @property
    def build_id(self) -> int:
        return self.index.next_build_id

    def add(self, p: ParsedDocument) -> None:
        """Write ``p``'s rows (batched) and keep what the plan needs of it."""
        doc_id = p.document.doc_id
        if doc_id in self._seen:  # a second copy of the same bytes is the same document
            return
        self._seen.add(doc_id)
        try:
            if doc_id in self.index.documents:
                self.rows.flush_documents()
                self.redo_sides.update(read_sides(self.con, [doc_id], self.index))
                forget(self.con, [doc_id])
            self.held.append(self.rows.add(p))
        except BaseException as e:
            self.abort(e)

    def finish(self, unchanged: Mapping[str, str], failures: Sequence[InputError]) -> LoadResult:
        """Plan, write the rest, run ``before_commit``, COMMIT. ``unchanged``: doc_id → path of the
        inputs whose bytes are loaded already; ``failures``: the inputs that could not be used."""
        hooks = self.hooks
        try:
            result = self._plan_and_write(unchanged, failures)
            opened, result.acknowledged = conflict_counts(self.con)
            result.conflicts = opened + result.acknowledged
            result.unexplained, result.unexplained_docs = self.con.execute(
                "SELECT count(*), count(DISTINCT doc_id) FROM unexplained_mentions"
            ).fetchall()[0]
            release_memory(self.con)  # what the plan, the writes and the counts used: validation needs room
            if hooks.before_commit is not None:
                hooks.before_commit(self.con, result)
                release_memory(self.con)  # and what validation used: COMMIT writes the whole build
            hooks.step("before_commit")
            hooks.step("commit")
            self.con.execute("COMMIT")
            self._open = False
        except BaseException as e:
            self.abort(e)
            raise  # unreachable: abort raises
        self._checkpoint()
        return result

    def _checkpoint(self) -> None:
        """Write the committed build into the database file now and let go of the memory its transaction
        held. Until a checkpoint DuckDB keeps a commit smaller than its WAL threshold (16 MiB: a few
        hundred documents) in memory as well, and after one the buffers and freed pages of the
        transaction stay with DuckDB, through the report and whatever the caller does next."""
        try:
            self.con.execute("CHECKPOINT")
            release_memory(self.con)
        except duckdb.Error as e:  # the build is committed (in the WAL): the next open checkpoints it
            _log.debug("%s: checkpoint after the build failed: %s", self.path, e)

    def _plan_and_write(self, unchanged: Mapping[str, str], failures: Sequence[InputError]) -> LoadResult:
        """Plan and write everything. The plan (every statement unpacked, the change log's rows) and what
        was held of the documents are let go on return, before the queries and the validation that
        end the build, which need the memory."""
        batch = LoadBatch(self.inputs, self.held, unchanged, failures, self.vocab, self.extract_sig, self.prune)
        self.held, redo_sides, self.redo_sides = [], self.redo_sides, {}
        docs = plan_documents(batch, self.index)
        compared = docs.compared - set(redo_sides)
        sides = {**read_sides(self.con, compared, self.index), **redo_sides}
        taken = read_taken(self.con, set(docs.keys.values()))
        rules = plan_rules(batch, docs, self.index, sides, taken, self.build_id)
        return write(self.con, batch, docs, rules, self.build_id, self.rows, self.hooks)

    def abort(self, e: Optional[BaseException] = None) -> None:
        """ROLLBACK (once); re-raise ``e``, a DuckDB error as ``LoadError``."""
        if self._open:
            self._open = False
            rows = getattr(self, "rows", None)
            if rows is not None:
                rows.close()
            self.con.execute("ROLLBACK")
        if e is None:
            return
        if isinstance(e, duckdb.Error):
            raise LoadError(f"{self.path}: load failed, database unchanged: {e}") from e
        raise e


def _staging_dir(path: str) -> Optional[str]:
    """Where a build stages rows (``bulk.Staged``): beside its database, whose disk takes the rows anyway
    (the system's temporary folder may be memory); None (the system's) for an in-memory database."""
    folder = Path(path).parent if path and path != ":memory:" else None
    return str(folder) if folder is not None and folder.is_dir() else None


def load(con: duckdb.DuckDBPyConnection, path: str, batch: LoadBatch, hooks: Optional[LoadHooks] = None) -> LoadResult:
    """Load a batch whose documents are all parsed already (the streaming ``Load``, fed from a list)."""
    run = Load(con, path, batch.inputs, batch.vocab, batch.extract_sig, hooks, batch.prune)
    for p in batch.parsed:
        if isinstance(p, ParsedDocument):
            run.add(p)
        else:
            raise TypeError("load() takes whole documents; stream with Load")
    return run.finish(batch.unchanged, batch.failures)
