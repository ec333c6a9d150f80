"""The end of a load: carry out the plan inside the build's transaction, once every document's
rows are in (``warehouse.stream`` wrote them as the documents arrived).

Every write is a bulk insert or one set-based UPDATE/DELETE over id lists (list parameters, which
unlike a registered Arrow table do not make duckdb import pandas: a no-op build stays fast).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from . import entities
from .bulk import insert_rows
from .model import Held, LoadBatch, LoadHooks, LoadResult
from .plan import DocumentPlan, RulePlan
from .rows import write_statements
from .stream import RowStream, complete_documents

_IDS = "(SELECT unnest(?::VARCHAR[]))"


def write(
    con: duckdb.DuckDBPyConnection,
    batch: LoadBatch,
    docs: DocumentPlan,
    rules: RulePlan,
    build_id: int,
    rows: RowStream,
    hooks: LoadHooks,
) -> LoadResult:
    """Everything a build writes once its documents' rows are in (``warehouse.stream``): the build,
    the documents' keys, versions and statuses, the statements with their stable ids, the change log."""
    con.execute(
        "INSERT INTO builds (build_id, started_at, inputs, vocab_version) VALUES (?, ?, ?, ?)",
        [build_id, datetime.now(), list(batch.inputs), batch.vocab.version],
    )
    hooks.step("builds")

    rows.flush_documents()
    complete_documents(con, {d.doc_id: (d.doc_key, d.version, d.status) for d in docs.documents})
    plans = {d.doc_id: d for d in docs.documents}
    insert_rows(
        con,
        "document_versions",
        [
            dict(doc_key=d.doc_key, version=d.version, doc_id=d.doc_id, build_id=build_id)
            for d in docs.documents
            if not d.redo
        ],
    )
    if docs.seen:
        con.execute(
            """UPDATE documents SET last_build = ?, status = 'active', source = seen.source
                       FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS source) seen
                       WHERE documents.doc_id = seen.doc_id""",
            [build_id, list(docs.seen), list(docs.seen.values())],
        )
    for status, ids in (("superseded", docs.superseded), ("retired", docs.retired)):
        if ids:
            con.execute(f"UPDATE documents SET status = ? WHERE doc_id IN {_IDS}", [status, ids])
    hooks.step("documents")

    rows.flush_blocks()
    hooks.step("blocks")

    new_rules = write_statements(con, (s for p in batch.parsed for s in p.statements), rules.stable_ids)
    insert_rows(con, "rule_changes", rules.changes)
    insert_rows(
        con,
        "doc_rule_counts",
        [
            dict(
                build_id=build_id,
                doc_key=plans[p.document.doc_id].doc_key,
                doc_id=p.document.doc_id,
                rules=p.count if isinstance(p, Held) else len(p.statements),
            )
            for p in batch.parsed
        ],
    )
    hooks.step("statements")
    entities.refresh(con, batch.vocab)
    insert_rows(
        con, "failures", [dict(build_id=build_id, source=e.path, code=e.code, reason=e.reason) for e in batch.failures]
    )

    rules_now = con.execute("SELECT count(*) FROM coverage_rules").fetchall()[0][0]
    new_vendors = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT s.vendor FROM coverage_rules c JOIN statements s "
            "USING (rule_id) WHERE s.vendor_new ORDER BY 1"
        ).fetchall()
    ]
    con.execute(
        """UPDATE builds SET finished_at = ?, parsed = ?, unchanged = ?, failed = ?, retired = ?, rules = ?
                   WHERE build_id = ?""",
        [
            datetime.now(),
            len(batch.parsed),
            len(batch.unchanged),
            len(batch.failures),
            len(docs.retired),
            rules_now,
            build_id,
        ],
    )
    return LoadResult(
        build_id=build_id,
        parsed=len(batch.parsed),
        unchanged=len(batch.unchanged),
        failed=len(batch.failures),
        retired=len(docs.retired),
        superseded=len(docs.superseded),
        pages=sum(p.document.page_count for p in batch.parsed),
        rules=rules_now,
        new_rules=new_rules,
        new_vendors=new_vendors,
        changes=len(rules.changes),
    )
