"""HTML ``<table>`` → rows on a full grid.

Row and column spans are expanded (a spanned cell's text is repeated in every position it
covers), so body rows have one cell per column; a row that is one cell spanning every column (a
group label, a full-width note) stays a one-cell row. Inside a cell, ``<br>`` and block
children (paragraphs, list items) separate items, joined with ``"\\n"``.
"""

from __future__ import annotations

from bs4 import Tag

from .assemble import clean_inline
from .html_nodes import IsChrome, Run, inline_events, to_int
from .model import TableRow

#: HTML caps a colspan at 1000; a table wider than this is a layout accident, not a grid.
MAX_TABLE_COLUMNS = 100


def cell_text(cell: Tag, is_chrome: IsChrome) -> str:
    """A cell's items (paragraphs, list items, lines split by ``<br>``) joined by newlines."""
    items: list[str] = []
    run = Run()
    for kind, value, _bold in inline_events(cell, is_chrome):
        if kind == "text":
            run.add(value, False)
        elif kind == "sup":
            run.attach(value, False)
        else:
            t = clean_inline(run.take()[0])
            if t:
                items.append(t)
    t = clean_inline(run.take()[0])
    if t:
        items.append(t)
    return "\n".join(items)


def _table_rows(table: Tag) -> list[tuple[Tag, str]]:
    """The ``<tr>``s of ``table`` itself (not of nested tables) with their section name."""
    out: list[tuple[Tag, str]] = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            out.append((child, "tbody"))
        elif child.name in ("thead", "tbody", "tfoot"):
            out.extend((tr, child.name) for tr in child.children if isinstance(tr, Tag) and tr.name == "tr")
    return out


def table_grid(table: Tag, is_chrome: IsChrome) -> list[TableRow]:
    """Rows on a full grid: spanned cells repeated; a lone full-width cell is a one-cell row."""
    trs = _table_rows(table)
    # pass 1: place every cell
    grid: list[dict[int, str]] = [dict() for _ in trs]
    origins: list[list[tuple[int, int, Tag]]] = [[] for _ in trs]
    section_end: list[int] = []
    end = len(trs)
    for i in range(len(trs) - 1, -1, -1):
        if i + 1 < len(trs) and trs[i + 1][1] != trs[i][1]:
            end = i + 1
        section_end.append(end)
    section_end.reverse()
    for r, (tr, _section) in enumerate(trs):
        col = 0
        row = grid[r]
        for cell in tr.children:
            if not isinstance(cell, Tag) or cell.name not in ("td", "th"):
                continue
            while col in row:
                col += 1
            if col >= MAX_TABLE_COLUMNS:
                break
            cs = min(max(to_int(cell.get("colspan"), 1), 1), MAX_TABLE_COLUMNS - col)
            rs_raw = to_int(cell.get("rowspan"), 1)
            rs = section_end[r] - r if rs_raw == 0 else min(max(rs_raw, 1), section_end[r] - r)
            text = cell_text(cell, is_chrome)
            for dc in range(cs):
                row[col + dc] = text
                for dr in range(1, rs):
                    grid[r + dr].setdefault(col + dc, text)
            origins[r].append((col, cs, cell))
            col += cs
    # the table's width: rows that are not a single full-width cell
    widths = [max(grid[r]) + 1 for r in range(len(trs)) if grid[r] and not _lone_cell(grid[r], origins[r])]
    ncols = max(widths) if widths else max((max(g) + 1 for g in grid if g), default=0)
    rows: list[TableRow] = []
    for r, (_tr, section) in enumerate(trs):
        if not grid[r]:
            continue
        cells_here = [c for _, _, c in origins[r]]
        is_th = bool(cells_here) and all(c.name == "th" for c in cells_here)
        header = section == "thead" or is_th
        if _lone_cell(grid[r], origins[r]) and (origins[r][0][1] >= ncols or ncols <= 1):
            rows.append(TableRow(cells=(grid[r][0],), page=1, header=header))
            continue
        rows.append(TableRow(cells=tuple(grid[r].get(c, "") for c in range(ncols)), page=1, header=header))
    # a leading run of all-<th> rows is the header even when the table has no <thead>
    return rows


def _lone_cell(row: dict[int, str], origins: list[tuple[int, int, Tag]]) -> bool:
    """One cell written in this row, starting at column 0, and nothing carried from above."""
    return len(origins) == 1 and origins[0][0] == 0 and len(row) == origins[0][1]
