"""A build's load: one transaction that reads a snapshot, plans, writes, and commits.

``load`` is the only place the build's transaction begins and ends. Order inside it:

1. read the snapshot (``warehouse.snapshot``: a fixed number of queries);
2. plan (``warehouse.plan``: pure functions of the batch and the snapshot);
3. write (``warehouse.write``: one pass of bulk inserts and set-based updates);
4. the caller's ``before_commit`` hook (the pipeline validates here), then COMMIT.

Any exception rolls everything back, so a failed (or killed) build leaves the database as it was.
"""

from __future__ import annotations

from typing import Optional

import duckdb

from .conflicts import counts as conflict_counts
from .errors import LoadError
from .model import LoadBatch, LoadHooks, LoadResult
from .plan import plan_documents, plan_rules
from .snapshot import read_index, read_sides, read_taken
from .write import write


def load(con: duckdb.DuckDBPyConnection, path: str, batch: LoadBatch, hooks: Optional[LoadHooks] = None) -> LoadResult:
    hooks = hooks or LoadHooks()
    con.execute("BEGIN TRANSACTION")
    try:
        index = read_index(con)
        docs = plan_documents(batch, index)
        sides = read_sides(con, docs.compared, index)
        taken = read_taken(con, set(docs.keys.values()), excluding=[d.doc_id for d in docs.documents if d.redo])
        rules = plan_rules(batch, docs, index, sides, taken, index.next_build_id)
        result = write(con, batch, docs, rules, index.next_build_id, hooks)
        opened, result.acknowledged = conflict_counts(con)
        result.conflicts = opened + result.acknowledged
        result.unexplained, result.unexplained_docs = con.execute(
            "SELECT count(*), count(DISTINCT doc_id) FROM unexplained_mentions"
        ).fetchall()[0]
        if hooks.before_commit is not None:
            hooks.before_commit(con, result)
        hooks.step("before_commit")
        hooks.step("commit")
        con.execute("COMMIT")
        return result
    except BaseException as e:
        con.execute("ROLLBACK")
        if isinstance(e, duckdb.Error):
            raise LoadError(f"{path}: load failed, database unchanged: {e}") from e
        raise
