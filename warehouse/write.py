"""One write pass: carry out a load plan inside the build's transaction.

Every write is a bulk insert or one set-based UPDATE/DELETE over id lists (list parameters, which
unlike a registered Arrow table do not make duckdb import pandas: a no-op build stays fast).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from . import entities
from .bulk import insert_columns, insert_rows
from .model import LoadBatch, LoadHooks, LoadResult
from .plan import DocumentPlan, RulePlan
from .published import published_on
from .rows import write_statements

_IDS = "(SELECT unnest(?::VARCHAR[]))"


def write(
    con: duckdb.DuckDBPyConnection,
    batch: LoadBatch,
    docs: DocumentPlan,
    rules: RulePlan,
    build_id: int,
    hooks: LoadHooks,
) -> LoadResult:
    con.execute(
        "INSERT INTO builds (build_id, started_at, inputs, vocab_version) VALUES (?, ?, ?, ?)",
        [build_id, datetime.now(), list(batch.inputs), batch.vocab.version],
    )
    hooks.step("builds")

    redo = [d.doc_id for d in docs.documents if d.redo]
    if redo:
        for table in ("statements", "exceptions", "mentions", "blocks", "documents"):
            con.execute(f"DELETE FROM {table} WHERE doc_id IN {_IDS}", [redo])
    plans = {d.doc_id: d for d in docs.documents}
    insert_rows(
        con,
        "documents",
        [
            dict(
                doc_id=d.doc_id,
                doc_key=plans[d.doc_id].doc_key,
                version=plans[d.doc_id].version,
                status=plans[d.doc_id].status,
                source=d.source,
                media_type=d.media_type.value,
                title=d.title,
                payer=p.payer,
                page_count=d.page_count,
                size_bytes=d.size_bytes,
                block_count=len(d.blocks),
                text=d.text,
                warnings=list(d.warnings),
                page_sizes=[dict(width=w, height=h) for w, h in d.page_sizes] or None,
                published_on=published_on(d),
                first_build=build_id,
                last_build=build_id,
                extract_sig=batch.extract_sig,
            )
            for p in batch.parsed
            for d in (p.document,)
        ],
    )
    insert_rows(
        con,
        "document_versions",
        [
            dict(doc_key=d.doc_key, version=d.version, doc_id=d.doc_id, build_id=build_id)
            for d in docs.documents
            if not d.redo
        ],
    )
    hooks.step("documents")

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

    _write_blocks(con, batch)
    hooks.step("blocks")

    new_rules = write_statements(con, (s for p in batch.parsed for s in p.statements), rules.stable_ids)
    insert_rows(
        con,
        "mentions",
        [
            dict(doc_id=p.document.doc_id, page=m.page, block_index=m.block_index,
                 quote_start=p.document.blocks[m.block_index].start + m.start,
                 quote_end=p.document.blocks[m.block_index].start + m.end, text=m.text, why=m.why)
            for p in batch.parsed
            for m in p.mentions
        ],
    )  # fmt: skip
    insert_rows(con, "rule_changes", rules.changes)
    insert_rows(
        con,
        "doc_rule_counts",
        [
            dict(
                build_id=build_id,
                doc_key=plans[p.document.doc_id].doc_key,
                doc_id=p.document.doc_id,
                rules=len(p.statements),
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


def _write_blocks(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    cols: dict[str, list] = {k: [] for k in ("doc_id", "block_index", "kind", "page", "level", "section_path", "text")}
    for p in batch.parsed:
        for b in p.document.blocks:
            cols["doc_id"].append(p.document.doc_id)
            cols["block_index"].append(b.index)
            cols["kind"].append(b.kind.value)
            cols["page"].append(b.page)
            cols["level"].append(b.level)
            cols["section_path"].append(list(b.section_path))
            cols["text"].append(b.text)
    insert_columns(con, "blocks", cols)
