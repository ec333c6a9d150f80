"""Reading order of a multi-column PDF page.

pdfplumber builds lines across the whole page, so the lines of two columns set side by side
come out interleaved (or glued into one line). Here a page is cut into regions read one after
the other: a vertical gutter of white space that runs through a band of the page's lines splits
that band into a left and a right column; what is above the band (a full-width banner or title)
is read first and what is below it (a footer, a full-width closing paragraph) last. Each region
is examined again, so a three-column band or a second band further down is found too.

A band only counts as columns when both sides look like running text: several lines each,
each column a fair share of the page's text width, and most lines of each column filling it
to its right edge (prose wraps there). A key/value list ("Acme Review    800-555-0100") or a
legend has a narrow left side of short labels and stays one region. Ruled tables were taken
out before (their characters are not in the lines) but block a gutter where they stand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .pdf_lines import Line, segments, split_line

#: White space narrower than this is not a gutter (word spaces are 2–4 pt; column gutters are
#: 12–36 pt). Also the gap at which a line's ink is cut into segments.
MIN_GUTTER = 10.0
#: A gutter lies in this part of the page's text width (white space near the edge is a margin
#: or an indent, not a gutter).
GUTTER_RANGE = (0.2, 0.8)
#: Each column holds at least this many lines (a two-line aside next to a label is not a layout).
MIN_COLUMN_LINES = 4
#: Each column is at least this share of the page's text width (newsletter columns are 30–48 %;
#: the label side of a key/value list is 10–20 %).
MIN_COLUMN_WIDTH_SHARE = 0.25
#: Share of a column's lines that must reach its right edge (within ``FILL_SLACK_SHARE`` of
#: the column's width): wrapped prose fills most lines, a list of labels does not.
MIN_FILLED_SHARE = 0.4
FILL_SLACK_SHARE = 0.2
#: Clusters of right-hand segment starts closer than this are one candidate column edge.
EDGE_TOLERANCE = 3.0
#: How many times a page is cut (bands × columns); real layouts need two or three.
MAX_SPLITS = 6


@dataclass
class _Item:
    """A line or a ruled table as the gutter search sees it."""

    top: float
    bottom: float
    segs: list[tuple[float, float]]
    line: Line | None = None
    table: int = -1


@dataclass
class Region:
    items: list[_Item] = field(default_factory=list)
    shift: float = 0.0


def _blocked(item: _Item, x: float) -> bool:
    half = MIN_GUTTER / 2
    return any(a - half < x < b + half for a, b in item.segs)


def _run_ok(run: list[_Item], x: float, width: float) -> int:
    """Score (lines in the shorter column) of a band cut at ``x``, or 0 if it is no layout."""
    left = [it for it in run if it.line is not None and any(b <= x for _, b in it.segs)]
    right = [it for it in run if it.line is not None and any(a >= x for a, _ in it.segs)]
    if len(left) < MIN_COLUMN_LINES or len(right) < MIN_COLUMN_LINES:
        return 0
    for side, inside in ((left, lambda s: s[1] <= x), (right, lambda s: s[0] >= x)):
        spans = [[s for s in it.segs if inside(s)] for it in side]
        x0 = min(s[0][0] for s in spans)
        x1 = max(s[-1][1] for s in spans)
        if x1 - x0 < MIN_COLUMN_WIDTH_SHARE * width:
            return 0
        slack = FILL_SLACK_SHARE * (x1 - x0)
        filled = sum(1 for s in spans if s[-1][1] >= x1 - slack)
        if filled < MIN_FILLED_SHARE * len(spans):
            return 0
    return min(len(left), len(right))


def _find_gutter(items: list[_Item]) -> tuple[float, int, int] | None:
    """The best (x, first, last) band of ``items`` (sorted by top) with a gutter at x."""
    segs = [s for it in items for s in it.segs]
    if not segs:
        return None
    body_x0 = min(a for a, _ in segs)
    width = max(b for _, b in segs) - body_x0
    lo, hi = body_x0 + GUTTER_RANGE[0] * width, body_x0 + GUTTER_RANGE[1] * width
    starts = sorted(a for it in items if it.line is not None for a, _ in it.segs if lo <= a <= hi)
    if len(starts) < MIN_COLUMN_LINES:
        return None  # nothing starts right of the left edge often enough: one column
    edges: list[list[float]] = []
    for a in starts:
        if edges and a - edges[-1][-1] <= EDGE_TOLERANCE:
            edges[-1].append(a)
        else:
            edges.append([a])
    best: tuple[int, float, int, int] | None = None
    for edge in edges:
        if len(edge) < MIN_COLUMN_LINES:
            continue
        x = edge[0] - MIN_GUTTER / 2 - 0.1
        first = 0
        for i in range(len(items) + 1):
            if i < len(items) and not _blocked(items[i], x):
                continue
            if i - first >= 2 * MIN_COLUMN_LINES:
                score = _run_ok(items[first:i], x, width)
                if score and (best is None or score > best[0]):
                    best = (score, x, first, i - 1)
            first = i + 1
    if best is None:
        return None
    _, x, first, last = best
    band = items[first : last + 1]
    left_edge = max((b for it in band for _, b in it.segs if b <= x), default=x)
    right_edge = min((a for it in band for a, _ in it.segs if a >= x), default=x)
    return (left_edge + right_edge) / 2, first, last


def _split(items: list[_Item], shift: float, budget: list[int], out: list[Region]) -> None:
    items = sorted(items, key=lambda it: (it.top, min((a for a, _ in it.segs), default=0.0)))
    found = _find_gutter(items) if budget[0] > 0 else None
    if found is None:
        out.append(Region(items, shift))
        return
    budget[0] -= 1
    x, first, last = found
    above, band, below = items[:first], items[first : last + 1], items[last + 1 :]
    left: list[_Item] = []
    right: list[_Item] = []
    for it in band:
        if it.line is None:
            (left if it.segs and it.segs[0][1] <= x else right).append(it)
            continue
        lpart, rpart = split_line(it.line, x)
        for part, side in ((lpart, left), (rpart, right)):
            if part is not None:
                side.append(_Item(part.top, part.bottom, segments(part, MIN_GUTTER), line=part))
    band_x0 = min((a for it in band for a, _ in it.segs), default=0.0)
    right_x0 = min((a for it in right for a, _ in it.segs), default=band_x0)
    if above:
        _split(above, shift, budget, out)
    _split(left, shift, budget, out)
    _split(right, shift + right_x0 - band_x0, budget, out)
    if below:
        _split(below, shift, budget, out)


def reading_order(lines: list[Line], tables: list[tuple[float, float, float, float]]) -> tuple[list[Line], list[int]]:
    """Cut the page into regions in reading order.

    Returns the lines (those straddling a gutter split in two) with ``region`` and ``shift``
    set, and for each table (``x0, top, x1, bottom``) its region. Sorting lines and tables by
    ``(region, top)`` gives the reading order.
    """
    items = [_Item(ln.top, ln.bottom, segments(ln, MIN_GUTTER), line=ln) for ln in lines]
    items += [_Item(t[1], t[3], [(t[0], t[2])], table=i) for i, t in enumerate(tables)]
    regions: list[Region] = []
    _split(items, 0.0, [MAX_SPLITS], regions)
    out_lines: list[Line] = []
    table_region = [0] * len(tables)
    for r, region in enumerate(regions):
        for it in region.items:
            if it.line is not None:
                it.line.region = r
                it.line.shift = region.shift
                out_lines.append(it.line)
            else:
                table_region[it.table] = r
    return out_lines, table_region
