"""Rules under construction, and the one step that turns them into ``Statement``s.

A ``Draft`` is mutable while the walk is still reading (an "Exception:" line or a footnote may
arrive later); ``finish`` freezes every draft into a ``Statement`` with its provenance. Every
slot remembers which text filled it (``explain``), for ``payerkg extract --explain``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Optional

from ingest import Block

from .model import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement
from .text import fold, sentences


@dataclass(frozen=True)
class Source:
    """Where a rule's quote stands: a verbatim substring ``block.text[start:end]`` on ``page``."""

    block: Block
    page: int
    start: int
    end: int

    @property
    def quote(self) -> str:
        return self.block.text[self.start : self.end]

    @classmethod
    def whole(cls, block: Block, page: Optional[int] = None) -> Source:
        return cls(block, page or block.page, 0, len(block.text))


@dataclass(frozen=True)
class VendorRef:
    name: str  # canonical (vocabulary) or as stated for an unknown vendor
    stated: str
    new: bool = False
    in_house: bool = False  # the payer's own staff


@dataclass
class Draft:
    vendor: VendorRef
    service: str
    lob: str
    segment: Segment
    scope: Scope
    requirement: Requirement
    source: Source
    pattern: str
    payer: Optional[str] = None
    exceptions: list[ExceptionRef] = field(default_factory=list)
    inclusions: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    effective: Optional[date] = None
    program: Optional[ProgramType] = None
    section: str = ""
    explain: dict[str, str] = field(default_factory=dict)
    markers: tuple[str, ...] = ()  # footnote markers on the text the rule rests on

    def key(self) -> tuple:
        return (self.payer, self.vendor.name, self.service, self.lob, self.segment, self.requirement)


def finish(
    drafts: list[Draft],
    doc_id: str,
    payer: str,
    payer_new: bool,
    known_payers: set[str],
    service_name: Callable[[str], str] = lambda s: s,
    blocks: Sequence[Block] = (),
) -> list[Statement]:
    """Freeze drafts into statements: one per distinct rule id, in reading order. ``service_name``
    gives a service its vocabulary name; ``blocks`` (the document's) let each exception quote the
    sentence that names its group."""
    out: dict[str, Statement] = {}
    quotes = _GroupQuotes(blocks)
    for d in drafts:
        row_payer = d.payer or payer
        refs = tuple(
            sorted({replace(r, quote=quotes.find(r.name, d.source.block) or r.quote) for r in d.exceptions if r.name})
        )
        program = d.program or (
            ProgramType.CARE_MANAGEMENT
            if d.requirement is Requirement.CARE_MANAGEMENT
            else ProgramType.UTILIZATION_MANAGEMENT
        )
        vendor = row_payer if d.vendor.in_house else d.vendor.name
        start, end = _trimmed(d.source)
        quote = d.source.block.text[start:end]
        st = Statement(
            doc_id=doc_id,
            payer=row_payer,
            vendor=vendor,
            program_type=program,
            service=service_name(d.service),
            line_of_business=d.lob,
            segment=d.segment,
            scope=d.scope,
            requirement=d.requirement,
            page=d.source.page,
            quote=quote,
            block_index=d.source.block.index,
            exceptions=tuple(sorted({r.name for r in refs})),
            inclusions=tuple(sorted(set(d.inclusions))),
            conditions="; ".join(dict.fromkeys(c.strip() for c in d.conditions if c and c.strip())) or None,
            effective_from=d.effective,
            vendor_as_stated=d.vendor.stated,
            vendor_new=d.vendor.new and not d.vendor.in_house,
            exception_refs=refs,
            section=d.section,
            pattern=d.pattern,
            payer_new=payer_new if row_payer == payer else row_payer not in known_payers,
            quote_start=d.source.block.start + start,
            quote_end=d.source.block.start + end,
            bbox=_bbox(d.source, start, end),
            explain=tuple(d.explain.items()),
        ).with_id()
        out.setdefault(st.rule_id, st)
    return list(out.values())


class _GroupQuotes:
    """The sentence that names an excepted group: in the rule's own block first, then in the
    blocks around it, then anywhere in the document; the rule's block text when none does."""

    #: Blocks before and after the rule's block searched before the whole document.
    NEAR = 12

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = list(blocks)
        self._cache: dict[tuple[str, int], str] = {}

    def find(self, name: str, block: Block) -> str:
        key = (name, block.index)
        if key not in self._cache:
            self._cache[key] = self._search(name, block)
        return self._cache[key]

    def _search(self, name: str, block: Block) -> str:
        target = fold(re.sub(r"\s*\((?:group\s+)?\d+\)\s*$", "", name))
        if not target:
            return ""
        near = self.blocks[max(0, block.index - self.NEAR) : block.index + self.NEAR + 1] if self.blocks else []
        for b in [block, *sorted(near, key=lambda x: abs(x.index - block.index)), *self.blocks]:
            if target in fold(b.text):
                for a, e in sentences(b.text):
                    if target in fold(b.text[a:e]):
                        return b.text[a:e].strip()
                return b.text.strip()
        return ""


def _trimmed(src: Source) -> tuple[int, int]:
    """The quote's offsets in its block without surrounding space (the whole block if it is empty)."""
    text = src.block.text
    a, b = src.start, src.end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else (0, len(text))


def _bbox(src: Source, start: int, end: int) -> Optional[tuple[float, float, float, float]]:
    """The box around the lines a quote covers on its page (PDF; None elsewhere)."""
    boxes = [x for x in getattr(src.block, "boxes", ()) if x.page == src.page and x.start < end and x.end > start]
    if not boxes:
        return None
    return (
        round(min(x.x0 for x in boxes), 2),
        round(min(x.top for x in boxes), 2),
        round(max(x.x1 for x in boxes), 2),
        round(max(x.bottom for x in boxes), 2),
    )
