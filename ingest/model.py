"""Typed records handed from ``ingest`` to ``extract``.

A ``Document`` is an ordered tuple of ``Block``s plus the concatenated text they were cut from.
Invariants (checked by tests):

* ``document.text[block.start:block.end] == block.text`` for every block;
* blocks are in reading order and ``block.index`` is their position;
* ``block.section_path`` holds the text of the headings above the block, outermost first
  (a heading's own path does not include itself);
* every page a block sits on is in ``1..document.page_count``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class BlockKind(str, Enum):
    """What a block is in the layout. Stored as plain text."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE = "table"
    CAPTION = "caption"


class MediaType(str, Enum):
    PDF = "pdf"
    HTML = "html"
    TEXT = "text"


@dataclass(frozen=True)
class TableRow:
    """One row of a table: its cells' text (reading order) and the page the row is on.

    Inside a cell, ``\\n`` separates visually distinct items (lines set apart by extra space or
    separate paragraphs); wrapped lines of one item are joined with a space.
    """

    cells: tuple[str, ...]
    page: int
    header: bool = False


@dataclass(frozen=True)
class Block:
    """One structural unit of a document.

    ``level`` is the heading level (1 = outermost) for headings, the nesting depth (1 = top) for
    list items, and 0 otherwise. ``bold`` holds ``(start, end)`` offsets *within* ``text`` of
    bold runs. For tables ``rows`` holds the rows and ``text`` is the rows' cells joined by
    ``" | "`` and rows by ``"\\n"``; ``page`` is the page of the first row.
    """

    index: int
    kind: BlockKind
    text: str
    page: int
    section_path: tuple[str, ...]
    level: int = 0
    bold: tuple[tuple[int, int], ...] = ()
    rows: tuple[TableRow, ...] = ()
    start: int = 0
    end: int = 0

    def bold_text(self) -> list[str]:
        return [self.text[a:b] for a, b in self.bold]


@dataclass(frozen=True)
class Document:
    """A parsed document. ``doc_id`` is the sha256 of the source bytes (its identity)."""

    doc_id: str
    source: str
    media_type: MediaType
    title: str
    page_count: int
    blocks: tuple[Block, ...]
    text: str
    size_bytes: int = 0
    warnings: tuple[str, ...] = field(default=())

    def page_text(self, page: int) -> str:
        """The text of every block (or table row) on ``page``, one per line."""
        parts: list[str] = []
        for b in self.blocks:
            if b.kind is BlockKind.TABLE:
                parts.extend(" | ".join(r.cells) for r in b.rows if r.page == page)
            elif b.page == page:
                parts.append(b.text)
        return "\n".join(parts)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_text(rows: tuple[TableRow, ...]) -> str:
    return "\n".join(" | ".join(r.cells) for r in rows)
