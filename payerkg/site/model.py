"""The review site's records: what the database says (``data.py``), ready to lay out (``pages.py``).

Every record is frozen. Text in them is the documents' own text, untrusted: the templates escape it
(``Markup`` values are built by ``marks.py``, which escapes every piece of text it wraps).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Optional

#: what a conflict's review status is until an analyst acknowledges it (``review_status``)
OPEN = "open"


def short_id(*parts: str) -> str:
    """A stable 12-hex-digit id for an anchor or a file name made of ``parts``."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Box:
    """A rule's quote on its page: PDF points, origin top-left (pdfplumber's coordinates)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Rule:
    """One row of ``coverage_rules``, with the alternate vendor of each exception that names one."""

    rule_id: str
    doc_id: str
    payer: str
    vendor: str
    service: str
    line_of_business: str
    segment: str
    scope: str
    requirement: str
    exceptions: tuple[str, ...]
    inclusions: tuple[str, ...]
    conditions: Optional[str]
    effective_from: Optional[date]
    effective_to: Optional[date]
    page: int
    quote: str
    quote_start: Optional[int]
    quote_end: Optional[int]
    bbox: Optional[Box]
    alternates: tuple[tuple[str, str], ...] = ()  # (excepted group, who handles it instead)

    @property
    def located(self) -> bool:
        """The quote's place is known: offsets into the text, and for a PDF its box."""
        return self.quote_start is not None and self.quote_end is not None

    @property
    def location(self) -> str:
        """Rules stated by the same words share this key (one highlight place)."""
        where = (self.bbox.x0, self.bbox.top, self.bbox.x1, self.bbox.bottom) if self.bbox else ()
        return short_id(self.doc_id, str(self.page), str(self.quote_start), str(self.quote_end), str(where))


@dataclass(frozen=True)
class TextBlock:
    """A block of a document's text and where it sits in ``documents.text`` (end exclusive)."""

    kind: str  # heading | paragraph | list_item | table | caption
    level: int
    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Doc:
    """An active document: its text, blocks, page sizes (PDF) and rules in reading order."""

    doc_id: str
    source: str
    media_type: str  # pdf | html | text
    title: str
    payer: str
    page_count: int
    text: str
    page_sizes: tuple[tuple[float, float], ...]
    blocks: tuple[TextBlock, ...]
    rules: tuple[Rule, ...]
    published_on: Optional[date] = None  # the document's own date (documents.published_on), when it gives one

    def stale(self, today: date, days: int) -> bool:
        """Published more than ``days`` days before ``today``; an undated document is never stale."""
        return self.published_on is not None and (today - self.published_on).days > days

    @property
    def href(self) -> str:
        return f"doc-{self.doc_id[:12]}.html"

    @property
    def name(self) -> str:
        return Path(self.source).name


@dataclass(frozen=True)
class PageImage:
    """A rendered page: the PNG (relative to the site) and the page region it shows, in PDF points."""

    page: int
    src: str
    width_px: int
    height_px: int
    region: Box


@dataclass(frozen=True)
class Cell:
    """One vendor × line of business of a payer's matrix: its services and the anchor of its rules."""

    payer: str
    vendor: str
    line_of_business: str
    services: tuple[tuple[str, tuple[str, ...]], ...]  # (service, scopes stated)
    rules: tuple[Rule, ...]

    @property
    def anchor(self) -> str:
        return "c-" + short_id(self.payer, self.vendor, self.line_of_business)


@dataclass(frozen=True)
class Matrix:
    """A payer's vendor × line-of-business matrix. ``by_vendor``: vendors are rows (else columns)."""

    payer: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    by_vendor: bool
    cells: dict[tuple[str, str], Cell] = field(hash=False)

    def cell(self, row: str, column: str) -> Optional[Cell]:
        return self.cells.get((row, column))


@dataclass(frozen=True)
class Change:
    """One row of ``rule_changes`` with its build's time and the document it is about."""

    build_id: int
    built_at: datetime
    doc_title: str
    doc_source: str
    from_version: Optional[int]
    to_version: Optional[int]
    change: str  # added | removed | changed
    field: Optional[str]
    vendor: str
    service: str
    line_of_business: str
    segment: str
    before: str
    after: str
    quote_before: Optional[str]
    quote_after: Optional[str]
    href: Optional[str]  # the rule in its document page, when that document is active


@dataclass(frozen=True)
class SiteReport:
    """What ``payerkg.report`` wrote: the site's pages, and the page images rendered or reused.

    ``missing_sources`` names PDFs whose file was not found (or no longer has the bytes that were
    built): their pages show the text with highlights instead of page images. ``stale`` names the
    documents whose own date is more than ``stale_days`` days old: the site marks them.
    """

    out: Path
    pages: tuple[Path, ...]
    documents: int
    rules: int
    conflicts: int
    changes: int
    images_rendered: int
    images_reused: int
    missing_sources: tuple[str, ...]
    seconds: float
    stale: tuple[str, ...] = ()  # sources of the documents published more than stale_days ago
    stale_days: int = 365

    @property
    def index(self) -> Path:
        return self.out / "index.html"
