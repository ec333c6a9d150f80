"""Typed records handed from ``ingest`` to ``extract``.

A ``Document`` is an ordered tuple of ``Block``s plus the concatenated text they were cut from.
Invariants (checked by tests):

* ``document.text[block.start:block.end] == block.text`` for every block;
* blocks are in reading order and ``block.index`` is their position;
* ``block.section_path`` holds the text of the headings above the block, outermost first
  (a heading's own path does not include itself);
* every page a block sits on is in ``1..document.page_count``;
* for every ``box`` in ``block.boxes``: ``0 <= box.start < box.end <= len(block.text)`` and
  ``block.text[box.start:box.end]`` is the text of that visual line; boxes are in text order
  and do not overlap, so the boxes of any substring ``block.text[a:b]`` are the boxes with
  ``box.start < b and box.end > a``.
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

    Inside a cell, ``\\n`` separates visually distinct items (lines set apart by extra space,
    set in another font size, separate paragraphs, ``<br>``); wrapped lines of one item are
    joined with a space.

    Rows are a full grid: a cell that spans several rows or columns (HTML ``rowspan`` /
    ``colspan``) has its text repeated in every position it covers, so body rows have one cell
    per column. The exception is a row made of a single cell spanning every column (a group
    label such as "Radiology and cardiology", or a full-width note): it is a one-cell row.
    ``header`` is true for header rows (several when the header has several rows) and for a
    one-cell group label set as a header cell.
    """

    cells: tuple[str, ...]
    page: int
    header: bool = False


@dataclass(frozen=True)
class LineBox:
    """Where one visual line of a block's text sits on its page (PDF only).

    Coordinates are pdfplumber's: PDF points, origin at the top-left of the page, so
    ``x0 < x1`` and ``top < bottom``. ``start``/``end`` are character offsets into the owning
    ``Block.text`` (end exclusive): ``block.text[start:end]`` is exactly this line's text. In a
    table block a box is one line of one cell, and the offsets are into the table's text (cells
    joined by ``" | "``, rows by ``"\\n"``).
    """

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """One structural unit of a document.

    ``level`` is the heading level (1 = outermost) for headings, the nesting depth (1 = top) for
    list items, and 0 otherwise. ``bold`` holds ``(start, end)`` offsets *within* ``text`` of
    bold runs. For tables ``rows`` holds the rows and ``text`` is the rows' cells joined by
    ``" | "`` and rows by ``"\\n"``; ``page`` is the page of the first row.

    ``marker`` is, for a list item, its bullet glyph or enumerator exactly as written ("•",
    "-", "*", "†", "1.", "a)"; HTML ``<ul>`` items get "•" and ``<ol>`` items "N."); it is not
    part of ``text``. It is "" for every other kind. A footnote symbol ("*", "†", "§") used as
    the marker tells a reader that the item is the note a "Yes*" elsewhere refers to.

    ``boxes`` (PDF only, else empty) locate the block's text on the page: one ``LineBox`` per
    visual line (per cell line in tables), in text order; only the separators that joined
    lines (a space) or cells and rows (``" | "``, ``"\\n"``) fall outside every box.
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
    marker: str = ""
    boxes: tuple[LineBox, ...] = ()

    def bold_text(self) -> list[str]:
        return [self.text[a:b] for a, b in self.bold]


@dataclass(frozen=True)
class Document:
    """A parsed document. ``doc_id`` is the sha256 of the source bytes (its identity).

    ``furniture`` holds text that identifies the publisher but is not content, each distinct
    string once, in the order found, at most ``MAX_FURNITURE`` entries: PDF running headers and
    footers that were dropped, PDF metadata Title/Author/Subject; a web page's ``<title>``,
    author / site-name meta tags, the text of its site header, footer, banner and contentinfo
    regions, the ``alt`` text of logo images, and the host names of its links
    ("www.example.com"); a plain-text notice's e-mail header lines. Furniture adds nothing to
    ``text`` or the blocks (the same words may also appear in the content, e.g. a title).

    ``page_sizes`` (PDF only, else empty) holds ``(width, height)`` of each page in PDF points,
    page 1 first, as pdfplumber gives them: every ``LineBox`` of page ``n`` lies within
    ``page_sizes[n - 1]``.
    """

    doc_id: str
    source: str
    media_type: MediaType
    title: str
    page_count: int
    blocks: tuple[Block, ...]
    text: str
    size_bytes: int = 0
    warnings: tuple[str, ...] = field(default=())
    furniture: tuple[str, ...] = ()
    page_sizes: tuple[tuple[float, float], ...] = ()

    def page_text(self, page: int) -> str:
        """The text of every block (or table row) on ``page``, one per line."""
        parts: list[str] = []
        for b in self.blocks:
            if b.kind is BlockKind.TABLE:
                parts.extend(" | ".join(r.cells) for r in b.rows if r.page == page)
            elif b.page == page:
                parts.append(b.text)
        return "\n".join(parts)


#: Furniture is only used to find a document's publisher; a few hundred strings are plenty, and
#: the cap keeps a link-farm page from bloating every Document.
MAX_FURNITURE = 300


def dedupe_furniture(items) -> tuple[str, ...]:
    """Whitespace-normalized, non-empty, first occurrence kept, at most ``MAX_FURNITURE``."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in items:
        text = " ".join(str(raw).split())
        key = text.casefold()
        if not text or key in seen:
            continue
        seen.add(key)
        out.append(text)
        if len(out) >= MAX_FURNITURE:
            break
    return tuple(out)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_text(rows: tuple[TableRow, ...]) -> str:
    return "\n".join(" | ".join(r.cells) for r in rows)
