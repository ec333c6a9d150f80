"""PDF → Document with pdfplumber, keeping the structure a reader sees.

What the layout tells us, and how:

* **reading order** — a page set in columns is read column by column, a full-width banner above
  and a footer below them staying whole (``pdf_columns``);
* **headings** — lines set larger than body text (ranked by size into levels), or set entirely in
  bold slightly above body size; on landscape slides the first heading of a slide is its title
  (level 1), so one slide is one section;
* **list items and depth** — a leading bullet glyph, footnote symbol (* † ‡ § ‖ ¶) or
  ``1.``/``a)`` (kept in ``Block.marker``) and the bullet's x-position within its column, ranked
  over the whole document; wrapped lines at the item's text indent continue it;
* **superscripts** — "Advantage¹" (``pdf_lines``); a line that starts with a superscript is a
  footnote and starts a block of its own;
* **bold spans** — characters in a bold font;
* **tables** — ruled tables found by pdfplumber (``pdf_tables``); a table whose header row repeats
  at the top of the next page continues the same table;
* **running headers/footers and page numbers** — lines in the top/bottom margin whose text
  (digits ignored) repeats on other pages, plus the lines set in the same place and style, a
  margin line ending in "Page 2 of 5" / "2 / 5", and a masthead that only repeats the PDF's
  Author; their text goes to ``Document.furniture`` with the PDF's Title/Author/Subject;
* **captions** — paragraphs entirely in a grey italic font (screenshot descriptions on slides);
* **boxes** — every block carries the box of each of its lines (``Block.boxes``).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.pdf import PDF

from .assemble import DocumentBuilder, is_continuation_line
from .errors import InputError, input_error
from .limits import DEFAULT_MAX_PAGES, check_pdf_lines
from .model import BlockKind, Document, MediaType, TableRow
from .pdf_columns import reading_order
from .pdf_lines import Line, joiner, lines_from_chars, text_pieces
from .pdf_patches import apply as _patch_pdfminer
from .pdf_tables import PageTable, page_tables
from .pdf_tree import check_page_tree

_patch_pdfminer()  # a linear decompress_corrupted (see pdf_patches)

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
#: An indent must be used by bullets on this many pages to count as a list level.
MIN_INDENT_PAGES = 2
#: Two lines whose sizes differ by more than this many points are not one block.
SAME_SIZE_TOLERANCE = 0.6
#: Metadata values that PDF producers write when nobody filled the field in: not a publisher.
PLACEHOLDER_METADATA = {
    "",
    "(unspecified)",
    "unspecified",
    "anonymous",
    "untitled",
    "unknown",
    "none",
    "(anonymous)",
    "user",
    "administrator",
}

BULLET_RE = re.compile(r"^(?:[•◦▪▫‣∙●○■□►▸➢✓–·]|[-*o]|[†‡§‖¶]|\d{1,2}[.)]|[a-z][.)])\s+")
DIGITS_RE = re.compile(r"\d+")
#: A margin line that ends in a page number: "Page 3", "Page 3 of 9", "3 of 9", "3 / 9".
PAGE_NUMBER_END_RE = re.compile(r"(?:^|\s)(?:page\s*#(?:\s*(?:of|/)\s*#)?|#\s*(?:of|/)\s*#)$")
#: Footnote symbols used as list markers: a footnote's wrapped lines start under its symbol, not
#: under its text, so they continue the item from either x.
FOOTNOTE_MARKERS = {"*", "†", "‡", "§", "‖", "¶"}
#: Landscape pages are slides only when they carry few words: slides average 400–800 characters,
#: a landscape bulletin page 2,000 and more.
MAX_SLIDE_MEAN_CHARS = 1500
#: A gap this wide inside a running header separates two texts (publisher left, issue right).
FURNITURE_GAP = 10.0
#: Sentence-final punctuation: a paragraph that ends with it does not run on into the next column.
TERMINAL_PUNCT = (".", "!", "?", ":", ";")


@dataclass
class PageItems:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[PageTable] = field(default_factory=list)
    table_region: list[int] = field(default_factory=list)


def _center_in(c: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cx = (c["x0"] + c["x1"]) / 2
    cy = (c["top"] + c["bottom"]) / 2
    return bool(x0 <= cx <= x1 and top <= cy <= bottom)


def _read_pages(pdf: PDF, source: str, first: int = 0, last: int | None = None) -> list[PageItems]:
    """What pages ``first`` to ``last`` (0-based, end excluded; all by default) hold: lines and
    tables, each page on its own (the page-by-page part of parsing, ``read_pdf_pages``)."""
    pages: list[PageItems] = []
    for number, page in enumerate(pdf.pages[first:last], start=first + 1):
        items = PageItems(number=number, width=float(page.width), height=float(page.height))
        items.tables = page_tables(page, number)
        chars = page.chars
        if items.tables:
            boxes = [t.bbox for t in items.tables]
            chars = [c for c in chars if not any(_center_in(c, b) for b in boxes)]
        items.lines = lines_from_chars(chars, number)
        page.flush_cache()
        pages.append(items)
    return pages


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _mark_chrome(pages: list[PageItems], deck: bool, author: str = "") -> None:
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
    author_key = _norm(author)
    for zone, ln in zone_lines:
        key = (zone, DIGITS_RE.sub("#", ln.text.strip().lower()))
        repeated = len(pages_of_text[key]) >= 2 or bool(re.fullmatch(r"(page\s*)?#(\s*(of|/)\s*#)?", key[1]))
        # a one-page document cannot repeat: its page-numbered footer and its publisher masthead
        # are recognised by their words
        if PAGE_NUMBER_END_RE.search(key[1]) or (zone == "top" and author_key and _norm(ln.text) == author_key):
            repeated = True
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

    def __init__(self, pages: list[PageItems], deck: bool, source: str = ""):
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
                    bullets.append((ln.x0 - ln.shift, ln.page))
                elif self._heading_kind(ln) == "size":
                    heading_sizes.append(ln.size)
        centers = _cluster([x for x, _ in bullets], INDENT_TOLERANCE)
        # an indent used on one page only (a screenshot's list, say) does not push depths
        pages_at = {c: {pg for x, pg in bullets if abs(x - c) <= INDENT_TOLERANCE} for c in centers}
        supported = [c for c in centers if len(pages_at[c]) >= MIN_INDENT_PAGES]
        self.bullet_x = supported or centers
        self.heading_sizes = sorted({round(s) for s in heading_sizes}, reverse=True)
        self.builder = DocumentBuilder(source)
        self.open: dict[str, Any] | None = None  # the block being assembled

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
        boxes = tuple(ln.box(a, b, skip) for ln, a, b, skip in o["lines"])
        if o["kind"] is BlockKind.HEADING:
            self.builder.heading(o["text"], o["level"], o["page"], o["bold"], boxes=boxes)
        else:
            self.builder.block(o["kind"], o["text"], o["page"], o["level"], o["bold"], marker=o["marker"], boxes=boxes)

    def _extend(self, ln: Line) -> None:
        o = self.open
        assert o is not None, "a line extends the open block"
        sep = joiner(o["text"], ln.text)
        offset = len(o["text"]) + len(sep)
        o["text"] += sep + ln.text
        o["bold"] += [(a + offset, b + offset) for a, b in ln.bold]
        o["bold"] = _merge_spans(o["bold"], o["text"])
        o["lines"].append((ln, offset, len(o["text"]), 0))
        o["last"] = ln

    def _start(self, kind: BlockKind, ln: Line, level: int, marker: str = "", skip: int = 0) -> None:
        """Open a block with ``ln``; its first ``skip`` characters (a bullet) are left out."""
        self.flush()
        text = ln.text[skip:]
        bold = [(max(a - skip, 0), b - skip) for a, b in ln.bold if b > skip]
        self.open = dict(
            kind=kind,
            text=text,
            page=ln.page,
            level=level,
            bold=bold,
            last=ln,
            first=ln,
            marker=marker,
            lines=[(ln, 0, len(text), skip)],
            text_x0=_text_x0(ln, skip) if skip else ln.x0,
        )

    def _continues(self, ln: Line) -> bool:
        o = self.open
        if not o or o["last"].page != ln.page:
            return False
        prev = o["last"]
        if abs(ln.size - prev.size) > SAME_SIZE_TOLERANCE or ln.starts_with_superscript:
            return False
        if ln.region != prev.region:
            # the next column: a sentence cut at the column's foot runs on at the next one's head
            return (
                o["kind"] in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)
                and not ln.caption
                and not o["text"].rstrip().endswith(TERMINAL_PUNCT)
                and ln.text[:1].islower()
            )
        gap = ln.top - prev.bottom
        if gap > BLOCK_GAP_RATIO * max(ln.size, prev.size):
            return False
        if o["kind"] is BlockKind.LIST_ITEM:
            if o["marker"] in FOOTNOTE_MARKERS and abs(ln.x0 - o["first"].x0) <= INDENT_TOLERANCE:
                return True
            return abs(ln.x0 - o["text_x0"]) <= INDENT_TOLERANCE or (
                abs(ln.x0 - prev.x0) <= INDENT_TOLERANCE and prev is not o["first"]
            )
        if o["kind"] is BlockKind.HEADING:
            return bool(ln.all_bold == prev.all_bold)
        if o["kind"] is BlockKind.CAPTION:
            return bool(ln.caption)
        return not ln.caption and ln.x0 >= o["first"].x0 - INDENT_TOLERANCE

    def feed_page(self, p: PageItems) -> None:
        events: list[tuple[int, float, int, object]] = [(ln.region, ln.top, 1, ln) for ln in p.lines if not ln.chrome]
        events += [
            (p.table_region[i] if i < len(p.table_region) else 0, t.bbox[1], 0, t) for i, t in enumerate(p.tables)
        ]
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        first_on_page = True
        slide_title_done = False
        for _, _, is_line, item in events:
            if not is_line:
                self.flush()
                self._table(item, first_on_page)  # type: ignore[arg-type]
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
                if (
                    self.open
                    and self.open["kind"] is BlockKind.HEADING
                    and self._continues(ln)
                    and self.open["level"] == level
                ):
                    self._extend(ln)
                else:
                    self._start(BlockKind.HEADING, ln, level)
                slide_title_done = True
                continue
            if self.deck and not slide_title_done:
                slide_title_done = True  # a slide without a title-sized line keeps the previous path
            m = BULLET_RE.match(ln.text)
            if m:
                depth = _rank(ln.x0 - ln.shift, self.bullet_x, INDENT_TOLERANCE)
                self._start(BlockKind.LIST_ITEM, ln, depth, marker=m.group(0).strip(), skip=m.end())
                continue
            if self._continues(ln):
                self._extend(ln)
                continue
            self._start(BlockKind.CAPTION if ln.caption else BlockKind.PARAGRAPH, ln, 0)
        self.flush()

    def _table(self, t: PageTable, first_on_page: bool) -> None:
        rows: list[TableRow] = list(t.rows)
        boxes = list(t.row_boxes)
        last = self.builder.last
        if (
            first_on_page
            and last is not None
            and last.kind is BlockKind.TABLE
            and last.rows
            and len(last.rows[-1].cells) == len(rows[0].cells)
        ):
            head = last.rows[0]
            if rows[0].cells == head.cells:
                rows, boxes = rows[1:], boxes[1:]
            self.builder.extend_table(rows, boxes)
        else:
            self.builder.table(rows, boxes)


def _text_x0(ln: Line, skip: int) -> float:
    """x of the first character after the bullet: where wrapped lines of the item start."""
    for ch, c in zip(ln.text[skip:], ln.chars[skip:]):
        if c is not None and not ch.isspace():
            return float(c["x0"])
    return ln.x0


def _merge_spans(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    spans = sorted(spans)
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and text[out[-1][1] : a].strip() == "":
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _classify_error(e: BaseException, source: str) -> InputError:
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
        # pdfminer walks page trees and resolves objects by recursion, and inflates streams whole
        if isinstance(exc, RecursionError):
            return input_error(source, "E142", "objects nested deeper than pdfminer can read")
        if isinstance(exc, MemoryError):
            return input_error(source, "E142", "a stream or object too large to hold in memory")
    root = seen[-1]
    detail = f"{type(root).__name__}: {root}" if str(root) else type(root).__name__
    return input_error(source, "E110", detail[:200])


def _metadata(pdf: PDF) -> dict[str, str]:
    """Title/Author/Subject of the PDF's info dictionary, placeholders left out."""
    out: dict[str, str] = {}
    try:
        meta = pdf.metadata or {}
    except Exception:  # a broken info dictionary is not worth failing the document
        return out
    for key in ("Title", "Author", "Subject"):
        value = meta.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        value = " ".join(str(value).split()) if value is not None else ""
        if value.casefold() not in PLACEHOLDER_METADATA:
            out[key] = value
    return out


def pdf_page_count(data: bytes, source: str, max_pages: int = DEFAULT_MAX_PAGES) -> int:
    """How many pages a PDF has, without reading them; raises ``InputError`` as ``parse_pdf`` does
    for what it checks first (E110, E111, E141, E142). An engine that parses page ranges apart
    (``read_pdf_pages``) asks this first."""
    import io

    check_pdf_lines(data, source)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            check_page_tree(pdf.doc, source, max_pages)
            return len(pdf.pages)
    except InputError:
        raise
    except Exception as e:
        raise _classify_error(e, source) from e


def read_pdf_pages(data: bytes, source: str, first: int, last: int) -> list[PageItems]:
    """Pages ``first`` to ``last`` (0-based, end excluded) read on their own: a large PDF's ranges
    can be read in parallel and handed to ``parse_pdf(…, pages=…)`` in order, which gives the
    document ``parse_pdf`` gives alone (reading a page needs no other page)."""
    import io

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return _read_pages(pdf, source, first, last)
    except InputError:
        raise
    except Exception as e:
        raise _classify_error(e, source) from e


def parse_pdf(
    data: bytes,
    source: str,
    doc_id: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    pages: list[PageItems] | None = None,
) -> Document:
    """Parse PDF bytes. Raises ``InputError`` (E110 corrupt, E111 encrypted, E112 no text,
    E141 more than ``max_pages`` pages, E142 a structure too deep or too large to read). ``pages``:
    every page, read already (``read_pdf_pages`` over ranges, in order); the rest of the work —
    running headers, reading order, blocks — needs them all and is done here."""
    import io

    check_pdf_lines(data, source)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        with pdf:
            check_page_tree(pdf.doc, source, max_pages)
            meta = _metadata(pdf)
            count = len(pdf.pages)
            if pages is None:
                pages = _read_pages(pdf, source)
    except InputError:
        raise
    except Exception as e:  # pdfminer raises assorted types (often wrapped) on broken files
        raise _classify_error(e, source) from e
    if [p.number for p in pages] != list(range(1, count + 1)):
        raise ValueError(f"{source}: the pages given are not the document's {count} pages in order")
    if not pages:
        raise input_error(source, "E110", "no pages")
    if not any(p.lines or p.tables for p in pages):
        raise input_error(source, "E112", f"{len(pages)} page(s), no characters")
    chars = sum(len(ln.text) for p in pages for ln in p.lines)
    deck = sum(p.width > p.height for p in pages) > len(pages) / 2 and chars / len(pages) <= MAX_SLIDE_MEAN_CHARS
    _mark_chrome(pages, deck, meta.get("Author", ""))
    furniture: list[str] = []
    seen: set[str] = set()
    for piece in (t for p in pages for ln in p.lines if ln.chrome for t in text_pieces(ln, FURNITURE_GAP)):
        key = DIGITS_RE.sub("#", _norm(piece))  # "Page 1 of 2" and "Page 2 of 2" are one text
        if key not in seen and re.sub(r"\b(page|of)\b|#", "", key).strip(" /|-–—·•"):
            seen.add(key)
            furniture.append(piece)
    furniture += [meta[k] for k in ("Title", "Author", "Subject") if k in meta]
    for p in pages:
        body = [ln for ln in p.lines if not ln.chrome]
        body, p.table_region = reading_order(body, [t.bbox for t in p.tables])
        p.lines = body
    asm = _Assembler(pages, deck, source)
    for p in pages:
        asm.feed_page(p)
    doc = asm.builder.build(
        doc_id=doc_id,
        source=source,
        media_type=MediaType.PDF,
        page_count=len(pages),
        size_bytes=len(data),
        fallback_title=source.rsplit("/", 1)[-1],
        furniture=furniture,
    )
    return replace(doc, page_sizes=tuple((p.width, p.height) for p in pages))
