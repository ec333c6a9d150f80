"""Turn a stream of typed pieces (headings, paragraphs, list items, tables) into a ``Document``.

Every parser (PDF, HTML, text) feeds a ``DocumentBuilder``; the builder owns the two rules that
must not differ between media:

* the section path: a heading closes every open heading at its level or deeper;
* continuation: a heading such as "Resources, continued" re-opens the section it continues
  instead of starting a new one, and "(Continued on next page)" lines are not content.

It also computes offsets so that ``document.text[block.start:block.end] == block.text``, and
keeps bold spans and line boxes pointing at the same characters when it trims or collapses
white space.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import replace
from difflib import SequenceMatcher

from .errors import input_error
from .limits import (
    MAX_BLOCK_CHARS,
    MAX_BLOCKS,
    MAX_CELL_CHARS,
    MAX_HEADING_LEVEL,
    MAX_TEXT_BLOCKS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
)
from .model import (
    Block,
    BlockKind,
    Boxes,
    Document,
    LineBox,
    MediaType,
    RowBoxes,
    Spans,
    TableRow,
    dedupe_furniture,
    table_text,
)

#: Open headings ``(level, text)``, outermost first: what ``open_sections`` hands back to restore.
Sections = tuple[tuple[int, str], ...]

#: "Resources, continued", "Eligibility (continued)", "Scope – cont'd"
CONTINUED_HEADING_RE = re.compile(r"\s*(?:[,–—-]\s*|\(\s*)(?:continued|cont['’]?d)\s*\)?\s*$", re.IGNORECASE)
#: A line that only announces a page break: "(Continued on next page)", "Continued on page 4".
CONTINUED_LINE_RE = re.compile(
    r"^\(?\s*(?:continued|cont['’]?d)\s+(?:on|from)\s+(?:the\s+)?(?:next|previous|following|page)"
    r"(?:\s+page)?(?:\s+\d+)?\s*\)?\.?$",
    re.IGNORECASE,
)
#: Two heading texts this similar (difflib ratio, after lower-casing) name the same section;
#: 0.85 tolerates trademark marks and punctuation ("BlueSM" vs "Blue") but not a new title.
SAME_HEADING_RATIO = 0.85
#: A continued heading re-opens one of this many latest headings ("Resources, continued" follows
#: its section within a page or two); looking no further keeps a document of many "continued"
#: headings linear.
REOPEN_LOOKBACK = 200
#: A continued heading longer than this is prose that happens to end in "continued": compared
#: letter by letter (difflib is quadratic) it would cost seconds.
MAX_REOPEN_CHARS = 300

WS_RE = re.compile(r"[ \t\u00a0]+")


def clean_inline(text: str) -> str:
    """Collapse runs of spaces (not newlines) and strip."""
    return WS_RE.sub(" ", text).strip()


def _normalize(text: str, collapse: bool) -> tuple[str, list[int]]:
    """``text.strip()`` (with ``collapse``: ``clean_inline(text)``) plus an offset map.

    ``pos[i]`` is the new offset of old offset ``i`` (``0 <= i <= len(text)``), so bold spans
    and line boxes can be carried over to the new text.
    """
    pos = list(range(len(text) + 1))
    if collapse:
        out: list[str] = []
        n = 0
        prev_ws = False
        for i, ch in enumerate(text):
            pos[i] = n
            if ch in " \t\u00a0":
                if not prev_ws:
                    out.append(" ")
                    n += 1
                prev_ws = True
            else:
                out.append(ch)
                n += 1
                prev_ws = False
        pos[len(text)] = n
        mid = "".join(out)
    else:
        mid = text
    new = mid.strip()
    lead = len(mid) - len(mid.lstrip())
    pos = [min(max(p - lead, 0), len(new)) for p in pos]
    return new, pos


def _remap_spans(spans: Spans, pos: list[int]) -> tuple[tuple[int, int], ...]:
    out = []
    for a, b in spans:
        na, nb = pos[max(0, min(a, len(pos) - 1))], pos[max(0, min(b, len(pos) - 1))]
        if na < nb:
            out.append((na, nb))
    return tuple(out)


def _remap_boxes(boxes: Boxes, pos: list[int], text: str) -> tuple[LineBox, ...]:
    out = []
    for bx in boxes:
        a, b = pos[max(0, min(bx.start, len(pos) - 1))], pos[max(0, min(bx.end, len(pos) - 1))]
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(LineBox(bx.page, bx.x0, bx.top, bx.x1, bx.bottom, a, b))
    return tuple(out)


def shift_boxes(boxes: Boxes, delta: int) -> tuple[LineBox, ...]:
    return tuple(LineBox(b.page, b.x0, b.top, b.x1, b.bottom, b.start + delta, b.end + delta) for b in boxes)


def split_points(text: str, limit: int = MAX_BLOCK_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of pieces of ``text`` of at most ``limit`` characters, cut after the last
    sentence end in the second half of each window, else at its last space, else at the limit; the
    space at a cut belongs to no piece. Linear: each window is searched once."""
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind(". ", start + limit // 2, end)
        if cut >= 0:
            cut += 1
        else:
            cut = text.rfind(" ", start + limit // 2, end)
        if cut <= start:
            cut = end
        out.append((start, cut))
        start = cut
        while start < len(text) and text[start] == " ":
            start += 1
    out.append((start, len(text)))
    return out


def _by_piece(ranges: list[tuple[int, int]], pieces: list[tuple[int, int]]) -> list[list[int]]:
    """For each piece ``(a, b)``, the indices of the ``ranges`` that overlap it. Found by bisection
    on the starts and on the running maximum of the ends, so a text cut into many pieces with many
    bold spans costs about ranges + pieces, not their product."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    starts = [ranges[i][0] for i in order]
    reach: list[int] = []  # reach[k]: the furthest end among the first k + 1 ranges by start
    for i in order:
        reach.append(max(ranges[i][1], reach[-1]) if reach else ranges[i][1])
    out = []
    for a, b in pieces:
        lo, hi = bisect_right(reach, a), bisect_left(starts, b)
        out.append([order[k] for k in range(lo, hi) if ranges[order[k]][1] > a])
    return out


def _cell_cut(text: str) -> int:
    """Where a cell longer than ``MAX_CELL_CHARS`` is cut: after its last line, else its last space,
    in the second half of the limit; else at the limit."""
    for sep in ("\n", " "):
        at = text.rfind(sep, MAX_CELL_CHARS // 2, MAX_CELL_CHARS)
        if at > 0:
            return at
    return MAX_CELL_CHARS


def _cut_long_cells(
    rows: list[TableRow], row_boxes: RowBoxes
) -> tuple[list[TableRow], RowBoxes, list[tuple[str, int]]]:
    """``rows`` with every cell longer than ``MAX_CELL_CHARS`` cut (a row's line boxes past its first
    cut cell dropped: their offsets no longer hold), and the texts cut off, each once, with their
    page (a spanned cell is repeated in every position it covers)."""
    if all(len(c) <= MAX_CELL_CHARS for r in rows for c in r.cells):
        return rows, row_boxes, []
    out: list[TableRow] = []
    boxes = list(row_boxes) if row_boxes else None
    overflow: list[tuple[str, int]] = []
    seen: set[str] = set()
    for i, r in enumerate(rows):
        if all(len(c) <= MAX_CELL_CHARS for c in r.cells):
            out.append(r)
            continue
        cells: list[str] = []
        for c in r.cells:
            if len(c) <= MAX_CELL_CHARS:
                cells.append(c)
                continue
            if boxes is not None and all(len(x) <= MAX_CELL_CHARS for x in r.cells[: len(cells)]):
                first = sum(map(len, cells)) + 3 * len(cells)  # where the row's first cut cell starts
                boxes[i] = [bx for bx in boxes[i] if bx.end <= first]
            cut = _cell_cut(c)
            cells.append(c[:cut].rstrip())
            rest = c[cut:].strip()
            if rest and rest not in seen:
                seen.add(rest)
                overflow.append((rest, r.page))
        out.append(replace(r, cells=tuple(cells)))
    return out, boxes, overflow


def is_continuation_line(text: str) -> bool:
    return bool(CONTINUED_LINE_RE.match(text.strip()))


def _norm_heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class DocumentBuilder:
    """Collects blocks in reading order; call ``build`` once at the end.

    Raises ``InputError`` E142 (naming ``source``) once the blocks and table cells pass
    ``limits.MAX_BLOCKS``."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self._size = 0  # blocks + table cells so far
        self._blocks: list[Block] = []
        self._stack: list[tuple[int, str]] = []  # (level, text) of open headings
        self._headings: list[tuple[int, str]] = []  # every heading seen, for continuations
        self._parts: list[str] = []
        self._offset = 0
        self._heading_indices: list[int] = []  # block indices of headings, ascending

    # -- section path ---------------------------------------------------------------------
    @property
    def section_path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self._stack)

    def _reopen(self, stripped: str, level: int) -> bool:
        """Re-open the earlier heading that ``stripped`` continues; True if one was found."""
        if len(stripped) > MAX_REOPEN_CHARS:
            return False
        key = _norm_heading(stripped)
        for lvl, text in reversed(self._headings[-REOPEN_LOOKBACK:]):
            if (
                len(text) <= MAX_REOPEN_CHARS
                and SequenceMatcher(None, key, _norm_heading(text)).ratio() >= SAME_HEADING_RATIO
            ):
                self._close(lvl)
                self._stack.append((lvl, text))
                return True
        return False

    def _close(self, level: int) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()

    # -- adding pieces ---------------------------------------------------------------------
    def reserve(self, n: int) -> None:
        """Raise E142 now if ``n`` more blocks or table cells would pass ``MAX_BLOCKS`` (a reader
        about to build a large table asks first)."""
        if self._size + n > MAX_BLOCKS:
            raise input_error(self.source, "E142", f"more than {MAX_BLOCKS:,} blocks and table cells")

    def _append(self, block_kwargs: dict) -> Block:
        n = 1 + sum(len(r.cells) for r in block_kwargs.get("rows", ()))
        self.reserve(n)
        if len(self._blocks) >= MAX_TEXT_BLOCKS:
            raise input_error(self.source, "E142", f"more than {MAX_TEXT_BLOCKS:,} blocks")
        self._size += n
        text = block_kwargs["text"]
        if self._parts:
            self._offset += 1  # the "\n" joining blocks
        start = self._offset
        if start + len(text) > MAX_TEXT_CHARS:
            raise input_error(self.source, "E142", f"more than {MAX_TEXT_CHARS:,} characters of text")
        self._parts.append(text)
        self._offset += len(text)
        block = Block(index=len(self._blocks), start=start, end=self._offset, **block_kwargs)
        self._blocks.append(block)
        return block

    def _clean(
        self, text: str, collapse: bool, bold: Spans, boxes: Boxes
    ) -> tuple[str, tuple[tuple[int, int], ...], tuple[LineBox, ...]]:
        """Normalize ``text``; carry bold spans and boxes over to the new offsets."""
        new = clean_inline(text) if collapse else text.strip()
        if new == text or not (bold or boxes):
            return new, tuple((a, b) for a, b in bold), tuple(boxes)
        new, pos = _normalize(text, collapse)
        return new, _remap_spans(bold, pos), _remap_boxes(boxes, pos, new)

    def heading(self, text: str, level: int, page: int, bold: Spans = (), boxes: Boxes = ()) -> Block | None:
        """Add a heading; returns None when it only continues an earlier section. A level past
        ``MAX_HEADING_LEVEL`` is read at that level; a text longer than ``MAX_TITLE_CHARS`` is
        no title and is added as a paragraph."""
        level = min(level, MAX_HEADING_LEVEL)
        text, bold, boxes = self._clean(text, True, bold, boxes)
        if not text:
            return None
        if len(text) > MAX_TITLE_CHARS:
            return self.block(BlockKind.PARAGRAPH, text, page, 0, bold, boxes=boxes)
        m = CONTINUED_HEADING_RE.search(text)
        if m and m.start() > 0 and self._reopen(text[: m.start()], level):
            return None
        self._close(level)
        block = self._append(
            dict(
                kind=BlockKind.HEADING,
                text=text,
                page=page,
                section_path=self.section_path,
                level=level,
                bold=bold,
                boxes=boxes,
            )
        )
        self._stack.append((level, text))
        self._headings.append((level, text))
        self._heading_indices.append(block.index)
        return block

    def block(
        self,
        kind: BlockKind,
        text: str,
        page: int,
        level: int = 0,
        bold: Spans = (),
        marker: str = "",
        boxes: Boxes = (),
    ) -> Block | None:
        """Add a paragraph or list item; returns its (last) block. Text longer than
        ``limits.MAX_BLOCK_CHARS`` becomes several blocks of the same kind and level, cut at
        sentence ends or spaces (only the first keeps a list item's marker)."""
        if kind is BlockKind.HEADING:
            raise ValueError("use heading() for headings")
        text, bold, boxes = self._clean(text, False, bold, boxes)
        if not text or is_continuation_line(text):
            return None
        marker = marker if kind is BlockKind.LIST_ITEM else ""
        if len(text) <= MAX_BLOCK_CHARS:
            return self._append(
                dict(
                    kind=kind,
                    text=text,
                    page=page,
                    section_path=self.section_path,
                    level=level,
                    bold=bold,
                    marker=marker,
                    boxes=boxes,
                )
            )
        block = None
        pieces = split_points(text)
        bold_in = _by_piece([(x, y) for x, y in bold], pieces)
        boxes_in = _by_piece([(bx.start, bx.end) for bx in boxes], pieces)
        for i, (a, b) in enumerate(pieces):
            piece_bold = tuple((max(bold[k][0], a) - a, min(bold[k][1], b) - a) for k in bold_in[i])
            piece_boxes = tuple(
                LineBox(bx.page, bx.x0, bx.top, bx.x1, bx.bottom, max(bx.start, a) - a, min(bx.end, b) - a)
                for bx in (boxes[k] for k in boxes_in[i])
            )
            block = self._append(
                dict(
                    kind=kind,
                    text=text[a:b],
                    page=page,
                    section_path=self.section_path,
                    level=level,
                    bold=piece_bold,
                    marker=marker if i == 0 else "",
                    boxes=piece_boxes,
                )
            )
        return block

    @staticmethod
    def _table_boxes(rows: list[TableRow], row_boxes: RowBoxes) -> tuple[LineBox, ...]:
        """Shift each row's boxes (offsets into ``" | ".join(cells)``) into the table's text."""
        if not row_boxes:
            return ()
        out: list[LineBox] = []
        offset = 0
        for row, boxes in zip(rows, row_boxes):
            out.extend(shift_boxes(boxes, offset))
            offset += len(" | ".join(row.cells)) + 1
        return tuple(out)

    @staticmethod
    def _keep_rows(rows: list[TableRow], row_boxes: RowBoxes) -> tuple[list[TableRow], RowBoxes]:
        keep = [i for i, r in enumerate(rows) if any(c.strip() for c in r.cells)]
        rows = [rows[i] for i in keep]
        row_boxes = [row_boxes[i] for i in keep] if row_boxes else None
        return rows, row_boxes

    def table(self, rows: list[TableRow], row_boxes: RowBoxes = None) -> Block | None:
        """Add a table. ``row_boxes`` (optional, parallel to ``rows``) holds each row's line
        boxes with offsets into that row's text (``" | ".join(row.cells)``). A cell longer than
        ``limits.MAX_CELL_CHARS`` is cut; what is cut off follows the table as a paragraph."""
        rows, row_boxes = self._keep_rows(list(rows), row_boxes)
        if not rows:
            return None
        rows, row_boxes, overflow = _cut_long_cells(rows, row_boxes)
        rows_t = tuple(rows)
        block = self._append(
            dict(
                kind=BlockKind.TABLE,
                text=table_text(rows_t),
                page=rows_t[0].page,
                section_path=self.section_path,
                rows=rows_t,
                boxes=self._table_boxes(rows, row_boxes),
            )
        )
        self._overflow(overflow)
        return block

    def _overflow(self, overflow: list[tuple[str, int]]) -> None:
        for text, page in overflow:
            self.block(BlockKind.PARAGRAPH, text, page)

    @property
    def last(self) -> Block | None:
        return self._blocks[-1] if self._blocks else None

    def extend_table(self, rows: list[TableRow], row_boxes: RowBoxes = None) -> None:
        """Append rows to the last block, which must be a table (a table continued on a new page)."""
        rows, row_boxes = self._keep_rows(list(rows), row_boxes)
        rows, row_boxes, overflow = _cut_long_cells(rows, row_boxes)
        last = self._blocks.pop()
        self._size -= 1 + sum(len(r.cells) for r in last.rows)
        self._parts.pop()
        self._offset = last.start - (1 if self._parts else 0)
        merged = list(last.rows) + rows
        boxes = last.boxes + shift_boxes(self._table_boxes(rows, row_boxes), len(last.text) + 1) if rows else last.boxes
        self._append(
            dict(
                kind=BlockKind.TABLE,
                text=table_text(tuple(merged)),
                page=last.page,
                section_path=last.section_path,
                rows=tuple(merged),
                boxes=boxes,
            )
        )
        self._overflow(overflow)

    # -- section scopes ----------------------------------------------------------------------
    def open_sections(self) -> Sections:
        """The open headings (level, text), outermost first: pass to ``restore_sections``."""
        return tuple(self._stack)

    def restore_sections(self, snapshot: Sections) -> None:
        """Close the headings opened since ``snapshot`` was taken (a tab panel or a sidebar box
        ended: what follows belongs to the enclosing section again)."""
        self._stack = list(snapshot)

    @property
    def block_count(self) -> int:
        return len(self._blocks)

    def heading_then_content_since(self, index: int) -> bool:
        """Was a heading added at or after block ``index``, and then a block that is not one?"""
        pos = bisect_left(self._heading_indices, index)
        if pos == len(self._heading_indices):
            return False
        h = self._heading_indices[pos]
        headings_after = len(self._heading_indices) - pos - 1
        return (len(self._blocks) - 1 - h) - headings_after > 0

    @property
    def current_level(self) -> int:
        """Level of the innermost open heading, 0 when none is open."""
        return self._stack[-1][0] if self._stack else 0

    def build(
        self,
        *,
        doc_id: str,
        source: str,
        media_type: MediaType,
        page_count: int,
        size_bytes: int,
        fallback_title: str,
        warnings: Iterable[str] = (),
        furniture: Iterable[str] = (),
    ) -> Document:
        return Document(
            doc_id=doc_id,
            source=source,
            media_type=media_type,
            title=self._title(fallback_title),
            page_count=page_count,
            blocks=tuple(self._blocks),
            text="\n".join(self._parts),
            size_bytes=size_bytes,
            warnings=tuple(warnings),
            furniture=dedupe_furniture(furniture),
        )

    def _title(self, fallback: str) -> str:
        """The outermost heading on the page of the first heading (a masthead or kicker set
        above the title in a smaller size is not the title); the first of them on a tie."""
        headings = [b for b in self._blocks if b.kind is BlockKind.HEADING]
        if not headings:
            return fallback
        first_page = [b for b in headings if b.page == headings[0].page]
        return min(first_page, key=lambda b: (b.level, b.index)).text
