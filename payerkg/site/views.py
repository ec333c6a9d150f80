"""A document page and the conflicts page, laid out: where each highlight goes.

A PDF whose page images exist is shown page by page, each rule's ``bbox`` a box over its page (one
box per rule, ``id="rule-<rule_id>"``); any other document, and a PDF whose file is gone, as its
text with a ``<mark>`` per rule (``marks.py``). Rules whose place is unknown are listed apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

from markupsafe import Markup

from warehouse.conflicts import Conflict

from .marks import Highlighter, context, spans
from .model import OPEN, Box, Doc, PageImage, Rule, TextBlock

#: points added around a quote's box, so the box does not touch the glyphs it frames
BOX_PAD = 2.0
#: points of the page shown above and below a quote in a conflict's side-by-side view
CROP_PAD = 72.0


@dataclass(frozen=True)
class BoxView:
    rule: Rule
    style: str  # left/top/width/height in % of the page image
    repeat: bool  # another rule's box on this page is at the same place (drawn once, until selected)


@dataclass(frozen=True)
class PageView:
    number: int
    image: PageImage
    boxes: tuple[BoxView, ...]


@dataclass(frozen=True)
class PageRun:
    """Consecutive pages that all have rules, or all have none (shown folded)."""

    pages: tuple[PageView, ...]
    has_rules: bool

    @property
    def label(self) -> str:
        a, b = self.pages[0].number, self.pages[-1].number
        return f"page {a}" if a == b else f"pages {a}–{b}"


@dataclass(frozen=True)
class BlockView:
    kind: str
    level: int
    page: int
    html: Markup


@dataclass(frozen=True)
class DocView:
    doc: Doc
    runs: tuple[PageRun, ...]  # PDF pages with images (empty: the text is shown)
    blocks: tuple[BlockView, ...]
    unlocated: tuple[Rule, ...]  # rules with no highlight: their place in the document is unknown
    images_missing: bool  # a PDF whose page images could not be made

    @property
    def highlights(self) -> int:
        return len(self.doc.rules) - len(self.unlocated)


def _pct(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") + "%"


def box_style(box: Box, region: Box, window: Optional[tuple[float, float]] = None) -> str:
    """CSS placing ``box`` (padded by ``BOX_PAD``) over an image of ``region`` (or of its vertical
    ``window``: top, bottom), in percentages, so it scales with the image."""
    top0, bottom0 = window or (region.top, region.bottom)
    w, h = region.x1 - region.x0, bottom0 - top0
    x0, x1 = max(box.x0 - BOX_PAD, region.x0), min(box.x1 + BOX_PAD, region.x1)
    t, b = max(box.top - BOX_PAD, top0), min(box.bottom + BOX_PAD, bottom0)
    return (
        f"left:{_pct((x0 - region.x0) / w * 100)};top:{_pct((t - top0) / h * 100)};"
        f"width:{_pct((x1 - x0) / w * 100)};height:{_pct((b - t) / h * 100)}"
    )


def _blocks(doc: Doc) -> tuple[TextBlock, ...]:
    return doc.blocks or (TextBlock("paragraph", 0, 1, 0, len(doc.text)),)


def document_view(doc: Doc, images: Mapping[int, PageImage]) -> DocView:
    """The page for ``doc``: its page images with boxes (a PDF whose images exist), else its text."""
    if doc.media_type == "pdf" and images and all(n in images for n in range(1, doc.page_count + 1)):
        pages = []
        for n in range(1, doc.page_count + 1):
            image, seen, boxes = images[n], set(), []
            for r in doc.rules:
                if r.page == n and r.bbox is not None:
                    style = box_style(r.bbox, image.region)
                    boxes.append(BoxView(r, style, style in seen))
                    seen.add(style)
            pages.append(PageView(n, image, tuple(boxes)))
        runs: list[list[PageView]] = []
        for p in pages:
            if runs and bool(runs[-1][-1].boxes) == bool(p.boxes):
                runs[-1].append(p)
            else:
                runs.append([p])
        unlocated = tuple(r for r in doc.rules if r.bbox is None or not 1 <= r.page <= doc.page_count)
        return DocView(doc, tuple(PageRun(tuple(r), bool(r[0].boxes)) for r in runs), (), unlocated, False)
    h = Highlighter(doc.text, spans(doc.rules))
    blocks = tuple(BlockView(b.kind, b.level, b.page, h.html(b.start, b.end)) for b in _blocks(doc))
    unlocated = tuple(r for r in doc.rules if r.rule_id not in h.anchored)
    return DocView(doc, (), blocks, unlocated, doc.media_type == "pdf")


# -- conflicts -------------------------------------------------------------------------------------------
def review_status(conflict: Conflict) -> str:
    """The review status shown for ``conflict`` — the one place it is decided: ``acknowledged`` while an
    analyst's review of both claims as they stand is stored (``conflict_reviews``), else ``open``."""
    return conflict.status or OPEN


@dataclass(frozen=True)
class Crop:
    """A band of a page image around a quote: the image's and the box's placement in the band."""

    image: PageImage
    aspect: str  # CSS aspect-ratio of the band
    image_style: str
    box_style: str


@dataclass(frozen=True)
class Side:
    rule: Optional[Rule]  # None: the rule is no longer in an active document
    doc: Optional[Doc]
    source: str
    page: int
    quote: str
    crop: Optional[Crop]
    context: Optional[Markup]


@dataclass(frozen=True)
class ConflictView:
    conflict: Conflict
    a: Side
    b: Side
    status: str


def crop(rule: Rule, image: PageImage) -> Optional[Crop]:
    if rule.bbox is None:
        return None
    r = image.region
    top, bottom = max(r.top, rule.bbox.top - CROP_PAD), min(r.bottom, rule.bbox.bottom + CROP_PAD)
    if bottom <= top:
        return None
    band = bottom - top
    image_style = f"top:{_pct(-(top - r.top) / band * 100)};height:{_pct((r.bottom - r.top) / band * 100)}"
    return Crop(image, f"{r.x1 - r.x0:.2f} / {band:.2f}", image_style, box_style(rule.bbox, r, (top, bottom)))


def _side(
    rule_id: str, source: str, page: int, quote: str, rules: Mapping[str, Rule], docs: Mapping[str, Doc],
    images: Mapping[str, Mapping[int, PageImage]],
) -> Side:  # fmt: skip
    rule = rules.get(rule_id)
    doc = docs.get(rule.doc_id) if rule else None
    if rule is None or doc is None:
        return Side(None, None, source, page, quote, None, None)
    image = images.get(doc.doc_id, {}).get(rule.page)
    band = crop(rule, image) if image is not None else None
    text = None
    if rule.located and rule.quote_start is not None and rule.quote_end is not None:
        text = context(doc.text, rule.quote_start, rule.quote_end, rule.rule_id)
    return Side(rule, doc, source, page, quote, band, text)


def conflict_views(
    conflicts: Sequence[Conflict], rules: Mapping[str, Rule], docs: Mapping[str, Doc],
    images: Mapping[str, Mapping[int, PageImage]],
) -> list[ConflictView]:  # fmt: skip
    return [
        ConflictView(
            c,
            _side(c.rule_id_a, c.source_a, c.page_a, c.quote_a, rules, docs, images),
            _side(c.rule_id_b, c.source_b, c.page_b, c.quote_b, rules, docs, images),
            review_status(c),
        )
        for c in conflicts
    ]
