"""PDF → Document with pdfplumber, keeping the structure a reader sees.

What the layout tells us, and how:

* **headings** — lines set larger than body text (ranked by size into levels), or set entirely in
  bold slightly above body size; on landscape slides the first heading of a slide is its title
  (level 1), so one slide is one section;
* **list items and depth** — a leading bullet glyph (or ``1.``/``a)``) and the bullet's
  x-position, ranked over the whole document; wrapped lines at the item's text indent continue it;
* **bold spans** — characters in a bold font;
* **tables** — ruled tables found by pdfplumber; cell lines set apart by extra space are separate
  items; a table whose header row repeats at the top of the next page continues the same table;
* **running headers/footers and page numbers** — lines in the top/bottom margin whose text
  (digits ignored) repeats on other pages, plus the lines set in the same place and style;
* **captions** — paragraphs entirely in a grey italic font (screenshot descriptions on slides).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from .assemble import DocumentBuilder, clean_inline, is_continuation_line
from .errors import input_error
from .model import BlockKind, Document, MediaType, TableRow

_log = logging.getLogger(__name__)

#: A line whose font is at least this much larger than body text is a heading (body 10pt →
#: 12pt+). Chosen between the seeds' largest body-ish size (10.5pt bold sub-heads) and titles.
HEADING_SIZE_RATIO = 1.2
#: A line entirely in bold and at least this much larger than body text is a minor heading
#: (10.5pt bold over 10pt body); bold lines at body size are emphasis, not headings.
BOLD_HEADING_RATIO = 1.03
#: Headings are short: a "heading-sized" line longer than this is display text, not a title.
MAX_HEADING_CHARS = 160
#: Top and bottom share of the page where running headers, footers and page numbers live.
MARGIN_FRACTION = 0.085
#: x positions within this many points are the same indent (bullets drift by < 1pt).
INDENT_TOLERANCE = 3.5
#: Vertical white space above a line, as a fraction of its font size, that starts a new block
#: (wrapped lines sit ~0.3 × size apart, paragraphs ~0.9 ×).
BLOCK_GAP_RATIO = 0.45
#: Share of lines in a margin position cluster whose text repeats on other pages for the whole
#: cluster to count as a running band (a header band whose wording changes by section).
BAND_REPEAT_SHARE = 0.5
#: A ruled region covering more than this share of the page is a slide background, not a table.
MAX_TABLE_PAGE_SHARE = 0.85
#: An indent must be used by bullets on this many pages to count as a list level.
MIN_INDENT_PAGES = 2
#: Grey: every RGB/gray component between these (black text is 0, white 1).
GREY_RANGE = (0.3, 0.85)

BULLET_RE = re.compile(r"^(?:[•◦▪▫‣∙●○■□►▸➢✓–·]|[-*o]|\d{1,2}[.)]|[a-z][.)])\s+")
DIGITS_RE = re.compile(r"\d+")


@dataclass
class Line:
    text: str
    page: int
    x0: float
    top: float
    bottom: float
    size: float
    bold: list[tuple[int, int]]
    all_bold: bool
    caption: bool
    xs: list = field(default_factory=list)  # x0 of each character of text (None: inserted space)
    chrome: bool = False
    text_x0: float = 0.0  # x of the first character after a bullet


@dataclass
class PageItems:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[tuple[float, list[TableRow]]] = field(default_factory=list)  # (top, rows)


def _is_bold(fontname: str) -> bool:
    f = fontname.lower()
    return any(k in f for k in ("bold", "black", "heavy", "semibold", "demi"))


def _is_italic(fontname: str) -> bool:
    f = fontname.lower()
    return "italic" in f or "oblique" in f


def _is_grey(color) -> bool:
    if color is None:
        return False
    comps = color if isinstance(color, (tuple, list)) else (color,)
    try:
        vals = [float(c) for c in comps]
    except (TypeError, ValueError):
        return False
    if len(vals) == 4:  # CMYK: grey is K only
        return vals[:3] == [0.0, 0.0, 0.0] and GREY_RANGE[0] <= 1 - vals[3] <= GREY_RANGE[1]
    return bool(vals) and max(vals) - min(vals) < 0.05 and GREY_RANGE[0] <= vals[0] <= GREY_RANGE[1]


def _align_fonts(text: str, chars: list[dict]) -> list[dict | None]:
    """Map each character of ``text`` to the pdfplumber char it came from (None for inserted spaces)."""
    out: list[dict | None] = []
    j = 0
    for ch in text:
        if j < len(chars) and chars[j]["text"] == ch:
            out.append(chars[j])
            j += 1
        elif ch.isspace():
            out.append(None)
        else:  # ligature expansion or normalisation: consume one char, keep going
            out.append(chars[j] if j < len(chars) else None)
            if j < len(chars) and len(chars[j]["text"]) <= 1:
                j += 1
    return out


def _spans(flags: list[bool]) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            spans.append((start, i))
            start = None
    return spans


def _make_line(raw: dict, page: int) -> Line | None:
    text = raw["text"]
    chars = [c for c in raw["chars"] if c["text"].strip()]
    if not text.strip() or not chars:
        return None
    sizes = Counter(round(c["size"], 1) for c in chars)
    size = sizes.most_common(1)[0][0]
    aligned = _align_fonts(text, raw["chars"])
    flags = [bool(c and _is_bold(c["fontname"])) for c in aligned]
    # spaces between two bold characters are bold too, so "Exceptions: Acme" keeps one span
    for i, c in enumerate(aligned):
        if c is None and 0 < i < len(flags) - 1 and flags[i - 1] and flags[i + 1]:
            flags[i] = True
    bold = [(a, b) for a, b in _spans(flags) if text[a:b].strip()]
    all_bold = all(_is_bold(c["fontname"]) for c in chars)
    caption = all(_is_italic(c["fontname"]) for c in chars) and all(
        _is_grey(c.get("non_stroking_color")) for c in chars
    )
    return Line(text=text, page=page, x0=raw["x0"], top=raw["top"], bottom=raw["bottom"],
                size=size, bold=bold, all_bold=all_bold, caption=caption,
                xs=[c["x0"] if c else None for c in aligned])


def _in_bbox(obj: dict, bbox) -> bool:
    x0, top, x1, bottom = bbox
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _cell_text(page, bbox) -> str:
    """Text of one table cell: wrapped lines joined by spaces, separated items by newlines."""
    cropped = page.within_bbox(bbox)
    lines = cropped.extract_text_lines(return_chars=False)
    items: list[str] = []
    prev_bottom = None
    for ln in lines:
        size = ln["bottom"] - ln["top"]
        gap = None if prev_bottom is None else ln["top"] - prev_bottom
        if items and gap is not None and gap <= BLOCK_GAP_RATIO * size:
            items[-1] += " " + ln["text"].strip()
        else:
            items.append(ln["text"].strip())
        prev_bottom = ln["bottom"]
    return "\n".join(clean_inline(i) for i in items if i.strip())


def _page_tables(page, number: int) -> list[tuple[tuple, list[TableRow]]]:
    edges = len(page.lines) + len(page.rects) + len(page.curves)
    if edges < 2:
        return []
    found = []
    area = page.width * page.height
    for t in page.find_tables():
        x0, top, x1, bottom = t.bbox
        ncols = max((len(r.cells) for r in t.rows), default=0)
        if ncols < 2 or len(t.rows) < 2 or (x1 - x0) * (bottom - top) > MAX_TABLE_PAGE_SHARE * area:
            continue
        rows: list[TableRow] = []
        for r_i, row in enumerate(t.rows):
            cells = tuple(_cell_text(page, c) if c else "" for c in row.cells)
            header = r_i == 0 and all(
                all(_is_bold(ch["fontname"]) for ch in page.within_bbox(c).chars if ch["text"].strip())
                for c in row.cells if c
            )
            rows.append(TableRow(cells=cells, page=number, header=header))
        found.append((t.bbox, rows))
    return found


def _read_pages(pdf, source: str) -> list[PageItems]:
    pages: list[PageItems] = []
    for number, page in enumerate(pdf.pages, start=1):
        items = PageItems(number=number, width=float(page.width), height=float(page.height))
        tables = _page_tables(page, number)
        body = page
        if tables:
            boxes = [b for b, _ in tables]
            body = page.filter(
                lambda o, boxes=boxes: o.get("object_type") != "char"
                or not any(_in_bbox(o, b) for b in boxes)
            )
            items.tables = [(b[1], rows) for b, rows in tables]
        for raw in body.extract_text_lines(return_chars=True, strip=True):
            line = _make_line(raw, number)
            if line:
                items.lines.append(line)
        page.flush_cache()
        pages.append(items)
    return pages


def _mark_chrome(pages: list[PageItems], deck: bool) -> None:
    """Flag running headers, footers and page numbers (by repetition and position)."""
    zone_lines: list[tuple[str, Line]] = []
    for p in pages:
        lim = MARGIN_FRACTION * p.height
        titles = set()
        if deck and p.lines:  # a slide's title is the largest text near its top: never chrome
            top_lines = [ln for ln in p.lines if ln.top < p.height / 4]
            if top_lines:
                titles.add(id(max(top_lines, key=lambda ln: (ln.size, -ln.top))))
        for ln in p.lines:
            if id(ln) in titles:
                continue
            if ln.top < lim:
                zone_lines.append(("top", ln))
            elif ln.bottom > p.height - lim:
                zone_lines.append(("bottom", ln))
    pages_of_text: dict[tuple[str, str], set[int]] = defaultdict(set)
    for zone, ln in zone_lines:
        pages_of_text[(zone, DIGITS_RE.sub("#", ln.text.strip().lower()))].add(ln.page)
    clusters: dict[tuple, list[tuple[bool, Line]]] = defaultdict(list)
    for zone, ln in zone_lines:
        key = (zone, DIGITS_RE.sub("#", ln.text.strip().lower()))
        repeated = len(pages_of_text[key]) >= 2 or bool(re.fullmatch(r"(page\s*)?#(\s*(of|/)\s*#)?", key[1]))
        if repeated:
            ln.chrome = True
        clusters[(zone, round(ln.top / 2), round(ln.size), ln.all_bold)].append((repeated, ln))
    for members in clusters.values():
        if len({ln.page for _, ln in members}) >= 2 and (
            sum(r for r, _ in members) / len(members) >= BAND_REPEAT_SHARE
        ):
            for _, ln in members:
                ln.chrome = True


def _body_size(pages: list[PageItems]) -> float:
    sizes: Counter = Counter()
    for p in pages:
        for ln in p.lines:
            if not ln.chrome:
                sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _cluster(values: list[float], tol: float) -> list[float]:
    """Single-linkage clusters of x positions (neighbours within ``tol``); returns their means."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _rank(value: float, centers: list[float], tol: float) -> int:
    """1 + the number of indent centres clearly left of ``value``."""
    return 1 + sum(1 for c in centers if c < value - tol)


class _Assembler:
    """Groups classified lines into blocks, feeding a DocumentBuilder."""

    def __init__(self, pages: list[PageItems], deck: bool):
        self.pages = pages
        self.deck = deck
        self.body = _body_size(pages)
        bullets: list[tuple[float, int]] = []
        heading_sizes = []
        for p in pages:
            for ln in p.lines:
                if ln.chrome:
                    continue
                m = BULLET_RE.match(ln.text)
                if m:
                    bullets.append((ln.x0, ln.page))
                elif self._heading_kind(ln) == "size":
                    heading_sizes.append(ln.size)
        centers = _cluster([x for x, _ in bullets], INDENT_TOLERANCE)
        # an indent used on one page only (a screenshot's list, say) does not push depths
        pages_at = {c: {pg for x, pg in bullets if abs(x - c) <= INDENT_TOLERANCE} for c in centers}
        supported = [c for c in centers if len(pages_at[c]) >= MIN_INDENT_PAGES]
        self.bullet_x = supported or centers
        self.heading_sizes = sorted(set(round(s) for s in heading_sizes), reverse=True)
        self.builder = DocumentBuilder()
        self.open: dict | None = None  # the block being assembled

    def _heading_kind(self, ln: Line) -> str | None:
        if len(ln.text) > MAX_HEADING_CHARS or ln.caption or BULLET_RE.match(ln.text):
            return None
        if ln.size >= self.body * HEADING_SIZE_RATIO:
            return "size"
        if ln.all_bold and ln.size >= self.body * BOLD_HEADING_RATIO:
            return "bold"
        return None

    def _heading_level(self, ln: Line, kind: str) -> int:
        if kind == "bold" or round(ln.size) not in self.heading_sizes:
            return len(self.heading_sizes) + 1
        return self.heading_sizes.index(round(ln.size)) + 1

    def flush(self) -> None:
        o, self.open = self.open, None
        if not o:
            return
        if o["kind"] is BlockKind.HEADING:
            self.builder.heading(o["text"], o["level"], o["page"], o["bold"])
        else:
            self.builder.block(o["kind"], o["text"], o["page"], o["level"], o["bold"])

    def _extend(self, ln: Line) -> None:
        o = self.open
        offset = len(o["text"]) + 1
        o["text"] += " " + ln.text
        o["bold"] += [(a + offset, b + offset) for a, b in ln.bold]
        o["bold"] = _merge_spans(o["bold"], o["text"])
        o["last"] = ln

    def _start(self, kind: BlockKind, ln: Line, level: int) -> None:
        self.flush()
        self.open = dict(kind=kind, text=ln.text, page=ln.page, level=level, bold=list(ln.bold),
                         last=ln, first=ln)

    def _continues(self, ln: Line) -> bool:
        o = self.open
        if not o or o["last"].page != ln.page:
            return False
        prev = o["last"]
        gap = ln.top - prev.bottom
        if gap > BLOCK_GAP_RATIO * max(ln.size, prev.size) or abs(ln.size - prev.size) > 0.6:
            return False
        if o["kind"] is BlockKind.LIST_ITEM:
            return abs(ln.x0 - o["first"].text_x0) <= INDENT_TOLERANCE or abs(ln.x0 - prev.x0) <= INDENT_TOLERANCE and prev is not o["first"]
        if o["kind"] is BlockKind.HEADING:
            return ln.all_bold == prev.all_bold
        if o["kind"] is BlockKind.CAPTION:
            return ln.caption
        return not ln.caption and ln.x0 >= o["first"].x0 - INDENT_TOLERANCE

    def feed_page(self, p: PageItems) -> None:
        events: list[tuple[float, int, object]] = [(ln.top, 1, ln) for ln in p.lines if not ln.chrome]
        events += [(top, 0, rows) for top, rows in p.tables]
        events.sort(key=lambda e: (e[0], e[1]))
        first_on_page = True
        slide_title_done = False
        for _, is_line, item in events:
            if not is_line:
                self.flush()
                rows: list[TableRow] = item  # type: ignore[assignment]
                last = self.builder.last
                if first_on_page and last is not None and last.kind is BlockKind.TABLE and \
                        last.rows and len(last.rows[-1].cells) == len(rows[0].cells):
                    head = last.rows[0]
                    if rows[0].cells == head.cells:
                        rows = rows[1:]
                    self.builder.extend_table(rows)
                else:
                    self.builder.table(rows)
                first_on_page = False
                continue
            ln: Line = item  # type: ignore[assignment]
            first_on_page = False
            if is_continuation_line(ln.text):
                self.flush()
                continue
            kind = self._heading_kind(ln)
            if kind:
                level = self._heading_level(ln, kind)
                if self.deck:
                    level = 1 if not slide_title_done else max(2, level)
                if self.open and self.open["kind"] is BlockKind.HEADING and self._continues(ln) \
                        and self.open["level"] == level:
                    self._extend(ln)
                else:
                    self._start(BlockKind.HEADING, ln, level)
                slide_title_done = True
                continue
            if self.deck and not slide_title_done:
                slide_title_done = True  # a slide without a title-sized line keeps the previous path
            m = BULLET_RE.match(ln.text)
            if m:
                depth = _rank(ln.x0, self.bullet_x, INDENT_TOLERANCE)
                text = ln.text[m.end():]
                shift = m.end()
                bullet_line = Line(text=text, page=ln.page, x0=ln.x0, top=ln.top, bottom=ln.bottom,
                                   size=ln.size, bold=[(a - shift, b - shift) for a, b in ln.bold if b > shift],
                                   all_bold=ln.all_bold, caption=False)
                bullet_line.bold = [(max(a, 0), b) for a, b in bullet_line.bold]
                bullet_line.text_x0 = _text_x0(ln, shift)
                self._start(BlockKind.LIST_ITEM, bullet_line, depth)
                continue
            if self._continues(ln):
                self._extend(ln)
                continue
            self._start(BlockKind.CAPTION if ln.caption else BlockKind.PARAGRAPH, ln, 0)
        self.flush()


def _text_x0(ln: Line, shift: int) -> float:
    """x of the first character after the bullet: where wrapped lines of the item start."""
    for ch, x in zip(ln.text[shift:], ln.xs[shift:]):
        if x is not None and not ch.isspace():
            return x
    return ln.x0


def _merge_spans(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    spans = sorted(spans)
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and text[out[-1][1]:a].strip() == "":
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _classify_error(e: BaseException, source: str):
    """Map a pdfminer/pdfplumber exception (possibly wrapped) to an ``InputError``."""
    seen: list[BaseException] = []
    cur: BaseException | None = e
    while cur is not None and cur not in seen:
        seen.append(cur)
        nested = [a for a in getattr(cur, "args", ()) if isinstance(a, BaseException)]
        cur = nested[0] if nested else (cur.__cause__ or cur.__context__)
    for exc in seen:
        if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(exc).lower():
            return input_error(source, "E111", type(exc).__name__)
    root = seen[-1]
    detail = f"{type(root).__name__}: {root}" if str(root) else type(root).__name__
    return input_error(source, "E110", detail[:200])


def parse_pdf(data: bytes, source: str, doc_id: str) -> Document:
    """Parse PDF bytes. Raises ``InputError`` (E110 corrupt, E111 encrypted, E112 no text)."""
    import io

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        with pdf:
            pages = _read_pages(pdf, source)
    except Exception as e:  # pdfminer raises assorted types (often wrapped) on broken files
        raise _classify_error(e, source) from e
    if not pages:
        raise input_error(source, "E110", "no pages")
    if not any(p.lines or p.tables for p in pages):
        raise input_error(source, "E112", f"{len(pages)} page(s), no characters")
    deck = sum(p.width > p.height for p in pages) > len(pages) / 2
    _mark_chrome(pages, deck)
    asm = _Assembler(pages, deck)
    for p in pages:
        asm.feed_page(p)
    return asm.builder.build(doc_id=doc_id, source=source, media_type=MediaType.PDF,
                             page_count=len(pages), size_bytes=len(data),
                             fallback_title=source.rsplit("/", 1)[-1])
