"""The previous state a load plans from, read at the start of the build's transaction.

Reading takes a fixed number of queries whatever the number of documents: the document index
(documents, highest version per key, next build id), then the statements of the documents the plan
compares (with their stable ids), then the stable ids already given per key. Nothing is read after
the first write.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import duckdb

from .rows import read_stable_ids, read_statements
from .versions import Side


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    doc_key: str
    version: int
    status: str  # active | superseded | retired
    source: str


@dataclass(frozen=True)
class DocumentIndex:
    """Every stored document, the highest version of each key, and the id the next build gets."""

    documents: Mapping[str, StoredDocument]
    latest_version: Mapping[str, int]
    next_build_id: int


def read_index(con: duckdb.DuckDBPyConnection) -> DocumentIndex:
    docs = {
        r[0]: StoredDocument(*r)
        for r in con.execute("SELECT doc_id, doc_key, version, status, source FROM documents").fetchall()
    }
    latest = dict(con.execute("SELECT doc_key, max(version) FROM document_versions GROUP BY doc_key").fetchall())
    build_id = con.execute("SELECT coalesce(max(build_id), 0) + 1 FROM builds").fetchall()[0][0]
    return DocumentIndex(docs, latest, int(build_id))


def read_sides(con: duckdb.DuckDBPyConnection, doc_ids: Collection[str], index: DocumentIndex) -> dict[str, Side]:
    """The stored version of each of ``doc_ids`` as a change-log side: its statements and stable ids."""
    if not doc_ids:
        return {}
    ids = sorted(doc_ids)
    statements = read_statements(con, active_only=False, doc_ids=ids)
    stable = read_stable_ids(con, ids)
    out = {}
    for doc_id in ids:
        stored = index.documents.get(doc_id)
        mine = [s for s in statements if s.doc_id == doc_id]
        out[doc_id] = Side(
            doc_id,
            stored.version if stored else None,
            bool(stored and stored.status == "active"),
            mine,
            {s.rule_id: stable[s.rule_id] for s in mine},
        )
    return out


def read_taken(
    con: duckdb.DuckDBPyConnection, doc_keys: Collection[str], excluding: Collection[str] = ()
) -> dict[str, frozenset[str]]:
    """doc_key → stable ids ever given to its rules (a new claim never reuses one), leaving out the
    documents in ``excluding`` (re-extracted now: their rows are replaced)."""
    out: dict[str, set[str]] = {}
    for key, sid in con.execute(
        """SELECT DISTINCT d.doc_key, s.stable_id FROM statements s JOIN documents d USING (doc_id)
               WHERE d.doc_key IN (SELECT unnest(?::VARCHAR[])) AND s.stable_id IS NOT NULL
                 AND d.doc_id NOT IN (SELECT unnest(?::VARCHAR[]))""",
        [sorted(doc_keys), sorted(excluding)],
    ).fetchall():
        out.setdefault(key, set()).add(sid)
    return {k: frozenset(v) for k, v in out.items()}
