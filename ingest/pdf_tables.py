"""Ruled tables of a PDF page: pdfplumber finds the grid; cells get their text from the page's
characters (assigned once per table, not by cropping the page per cell).

Inside a cell, wrapped lines of one item are joined with a space; a line set apart by extra
space or set in another type size (a small "Codes: …" line under a service name) starts a new
item, and items are joined with ``"\\n"``. Every cell line gets a ``LineBox`` whose offsets are
into the row's text (cells joined by ``" | "``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pdfplumber.page import Page

from .assemble import clean_inline
from .model import LineBox, TableRow
from .pdf_lines import Line, is_bold, joiner, lines_from_chars

#: A ruled region covering more than this share of the page is a slide background, not a table.
MAX_TABLE_PAGE_SHARE = 0.85
#: Vertical white space above a cell line, as a fraction of its height, that starts a new item
#: (wrapped lines sit ~0.3 × size apart, separate items ~0.9 ×). Same value as the body text's.
CELL_ITEM_GAP_RATIO = 0.45
#: A cell line whose size differs from the previous line's by more than this many points is a
#: new item (a 6pt code list under an 8.6pt service name; wrapped lines share one size).
CELL_SIZE_CHANGE = 0.6


@dataclass
class PageTable:
    bbox: tuple[float, float, float, float]
    rows: list[TableRow]
    row_boxes: list[tuple[LineBox, ...]]  # offsets into " | ".join(row.cells)


def _center_in(c: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cx = (c["x0"] + c["x1"]) / 2
    cy = (c["top"] + c["bottom"]) / 2
    return bool(x0 <= cx <= x1 and top <= cy <= bottom)


def _cell(chars: list[dict], page: int) -> tuple[str, list[tuple[Line, int, int]]]:
    """A cell's text and its lines with their offsets in it."""
    lines = lines_from_chars(chars, page)
    text = ""
    placed: list[tuple[Line, int, int]] = []
    prev: Line | None = None
    for ln in lines:
        t = clean_inline(ln.text)
        if not t:
            continue
        if prev is not None:
            gap = ln.top - prev.bottom
            height = ln.bottom - ln.top
            same_item = gap <= CELL_ITEM_GAP_RATIO * height and abs(ln.size - prev.size) <= CELL_SIZE_CHANGE
            text += joiner(text, t) if same_item else "\n"
        start = len(text)
        text += t
        placed.append((ln, start, len(text)))
        prev = ln
    return text, placed


def _colors(chars: list[dict]) -> set:
    out = set()
    for c in chars:
        if c["text"].strip():
            col = c.get("non_stroking_color")
            out.add(tuple(col) if isinstance(col, (list, tuple)) else col)
    return out


def page_tables(page: Page, number: int) -> list[PageTable]:
    """The page's ruled tables (at least 2 rows and 2 columns, not the whole page)."""
    edges = len(page.lines) + len(page.rects) + len(page.curves)
    if edges < 2:
        return []
    found: list[PageTable] = []
    area = page.width * page.height
    page_chars = page.chars
    for t in page.find_tables():
        x0, top, x1, bottom = t.bbox
        ncols = max((len(r.cells) for r in t.rows), default=0)
        if ncols < 2 or len(t.rows) < 2 or (x1 - x0) * (bottom - top) > MAX_TABLE_PAGE_SHARE * area:
            continue
        chars = [c for c in page_chars if _center_in(c, t.bbox)]
        row_chars: list[list[list[dict]]] = [[[] for _ in r.cells] for r in t.rows]
        for c in chars:
            cy = (c["top"] + c["bottom"]) / 2
            cx = (c["x0"] + c["x1"]) / 2
            for r_i, row in enumerate(t.rows):
                rb = row.bbox
                if not rb[1] <= cy <= rb[3]:
                    continue
                for c_i, cb in enumerate(row.cells):
                    if cb is not None and cb[0] <= cx <= cb[2] and cb[1] <= cy <= cb[3]:
                        row_chars[r_i][c_i].append(c)
                        break
                break
        rows: list[TableRow] = []
        row_boxes: list[tuple[LineBox, ...]] = []
        for r_i, row in enumerate(t.rows):
            cells: list[str] = []
            boxes: list[LineBox] = []
            offset = 0
            for c_i, cb in enumerate(row.cells):
                text, placed = _cell(row_chars[r_i][c_i], number) if cb is not None else ("", [])
                boxes += [ln.box(offset + a, offset + b) for ln, a, b in placed]
                cells.append(text)
                offset += len(text) + 3  # " | "
            rows.append(TableRow(cells=tuple(cells), page=number, header=False))
            row_boxes.append(tuple(boxes))
        if rows:
            first = [c for cell in row_chars[0] for c in cell if c["text"].strip()]
            rest = [c for row in row_chars[1:] for cell in row for c in cell]
            bold = bool(first) and all(is_bold(c["fontname"]) for c in first)
            # a header band styled apart: its text colour is used nowhere in the body rows
            styled = bool(first) and bool(rest) and len(_colors(first)) == 1 and not (_colors(first) & _colors(rest))
            if bold or styled:
                rows[0] = TableRow(cells=rows[0].cells, page=number, header=True)
        found.append(PageTable(t.bbox, rows, row_boxes))
    return found
