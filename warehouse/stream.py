"""Rows of parsed documents written as they arrive, in batches of Arrow inserts, inside the build's
transaction: a document's text goes to the database, and its blocks and unexplained mentions to
staging files (``bulk.Staged``: one INSERT each at the end, which DuckDB writes to the database file
as it goes instead of holding a build's ~150 rows a document in memory until COMMIT), when it is
handed in; what the load plan needs of it afterwards is kept (``Held``: its id, source, title,
payer, page count and statements).

A document's key, version and status are only known once every document of the build is in (two
documents of one build with the same payer and title get their file names in their keys), so its
``documents`` row is written with placeholders and completed by ``complete_documents`` at the end.
A document loaded before under the same bytes (re-extracted with another vocabulary or extractor)
has its stored rows read (its statements, for the change log) and deleted when it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import duckdb

from .bulk import Staged, insert_columns
from .connection import release_memory
from .model import Held, HeldDocument, ParsedDocument
from .published import published_on

#: Rows buffered before one Arrow insert: large enough that the per-insert cost (schema lookup,
#: registering the Arrow table) is paid rarely, small enough that a batch stays a few MiB (a block
#: row averages ~250 bytes of text on the benchmark corpus: 4,000 blocks ≈ 1 MiB).
BATCH_ROWS = 4000
#: documents buffered before their rows are written (a document's text can be large).
BATCH_DOCUMENTS = 64
#: what ``documents.doc_key`` holds until the plan gives the key (never a real key: keys hold a ``|``)
PENDING_KEY = "(pending)"

_IDS = "(SELECT unnest(?::VARCHAR[]))"
_DOCUMENT_COLUMNS = (
    "doc_id", "doc_key", "version", "status", "source", "media_type", "title", "payer", "page_count",
    "size_bytes", "block_count", "text", "warnings", "page_sizes", "published_on", "first_build", "last_build",
    "extract_sig",
)  # fmt: skip
_BLOCK_COLUMNS = ("doc_id", "block_index", "kind", "page", "level", "section_path", "text")
_MENTION_COLUMNS = ("doc_id", "page", "block_index", "quote_start", "quote_end", "text", "why")


class RowStream:
    """Buffers the rows of documents handed in and writes them in batches of Arrow inserts."""

    def __init__(self, con: duckdb.DuckDBPyConnection, build_id: int, extract_sig: str, staging: Optional[str] = None):
        self.con = con
        self.build_id = build_id
        self.extract_sig = extract_sig
        self.documents: dict[str, list[Any]] = {c: [] for c in _DOCUMENT_COLUMNS}
        self.blocks: dict[str, list[Any]] = {c: [] for c in _BLOCK_COLUMNS}
        self.mentions: dict[str, list[Any]] = {c: [] for c in _MENTION_COLUMNS}
        # blocks and mentions wait in files (``staging``: their folder) and go in with one INSERT each
        self.staged = {t: Staged(con, t, staging) for t in ("blocks", "mentions")}

    def add(self, p: ParsedDocument) -> Held:
        """Buffer ``p``'s rows (written when a batch fills) and return what the plan keeps of it."""
        d = p.document
        row = dict(
            doc_id=d.doc_id, doc_key=PENDING_KEY, version=0, status="active", source=d.source,
            media_type=d.media_type.value, title=d.title, payer=p.payer, page_count=d.page_count,
            size_bytes=d.size_bytes, block_count=len(d.blocks), text=d.text, warnings=list(d.warnings),
            page_sizes=[dict(width=w, height=h) for w, h in d.page_sizes] or None, published_on=published_on(d),
            first_build=self.build_id, last_build=self.build_id, extract_sig=self.extract_sig,
        )  # fmt: skip
        for c in _DOCUMENT_COLUMNS:
            self.documents[c].append(row[c])
        for b in d.blocks:
            for c, v in zip(
                _BLOCK_COLUMNS, (d.doc_id, b.index, b.kind.value, b.page, b.level, list(b.section_path), b.text)
            ):
                self.blocks[c].append(v)
        for m in p.mentions:
            start = d.blocks[m.block_index].start
            mention: tuple[Any, ...] = (d.doc_id, m.page, m.block_index, start + m.start, start + m.end, m.text, m.why)
            for c, value in zip(_MENTION_COLUMNS, mention):
                self.mentions[c].append(value)
        if len(self.documents["doc_id"]) >= BATCH_DOCUMENTS:
            self.flush_documents()
        if len(self.blocks["doc_id"]) + len(self.mentions["doc_id"]) >= BATCH_ROWS:
            self.stage_blocks()
        return Held.of(HeldDocument(d.doc_id, d.source, d.title, d.page_count), p.payer, p.statements, p.payer_new)

    def flush_documents(self) -> None:
        insert_columns(self.con, "documents", self.documents)
        self.documents = {c: [] for c in _DOCUMENT_COLUMNS}

    def stage_blocks(self) -> None:
        """Move the buffered blocks and mentions to their staging files."""
        self.staged["blocks"].write(self.blocks)
        self.staged["mentions"].write(self.mentions)
        self.blocks = {c: [] for c in _BLOCK_COLUMNS}
        self.mentions = {c: [] for c in _MENTION_COLUMNS}

    def flush_blocks(self) -> None:
        """Insert every block and mention handed in (once all documents are in), then let go of what
        DuckDB used for the inserts."""
        self.stage_blocks()
        for staged in self.staged.values():
            staged.insert()
        release_memory(self.con)

    def close(self) -> None:
        """Drop the staging files (the load was rolled back)."""
        for staged in self.staged.values():
            staged.close()


def forget(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> None:
    """Delete the stored rows of documents loaded again (re-extracted): they are written anew."""
    for table in ("statements", "exceptions", "mentions", "blocks", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN {_IDS}", [list(doc_ids)])


def complete_documents(con: duckdb.DuckDBPyConnection, keys: dict[str, tuple[str, int, str]]) -> None:
    """Give the documents written with placeholders their key, version and status (doc_id → those)."""
    if not keys:
        return
    ids = list(keys)
    con.execute(
        f"""UPDATE documents SET doc_key = plan.doc_key, version = plan.version, status = plan.status
            FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS doc_key,
                         unnest(?::INTEGER[]) AS version, unnest(?::VARCHAR[]) AS status) plan
            WHERE documents.doc_id = plan.doc_id AND documents.doc_key = '{PENDING_KEY}'""",
        [ids, [keys[i][0] for i in ids], [keys[i][1] for i in ids], [keys[i][2] for i in ids]],
    )
