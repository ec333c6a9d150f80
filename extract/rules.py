"""Assemble ``Statement``s from a ``Document``'s structure and language.

The walk follows what a reader does:

1. A **heading** that names a vendor or department (vocabulary) — or, failing that, a proper name
   whose section uses delegation language ("makes authorization determinations", "provides these
   services") — opens a *vendor section*; the heading's "— For <service>" part or the first
   delegation sentence gives the service. Deeper headings without a vendor ("Resources") close
   the part of the section that states coverage.
2. **List items** that start with a line of business carry their segments ("— All fully insured
   groups, …"); an item that is only a line of business is the parent of the deeper items that
   follow; "For <service>, …" items narrow the service for their children.
3. **"Exception(s):"** attaches to the clause it follows — in the same item, in the next
   paragraph, or as the deeper items after a trailing "Exceptions:"; "managed by X" records X.
4. **Table rows**: the cell whose lines start with a line of business gives the segments, the
   other cell the service; "Note:" lines in the cell add conditions.
5. **Prose** elsewhere: a sentence with a vendor, delegation language and a service gives a rule
   for the lines of business it (or its section) names.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterator, Optional

from ingest import Block, BlockKind, Document

from .clauses import DASH_RE, EXC_RE, Clause, ClauseParser
from .model import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement
from .nlp import Annotated, Annotator
from .vocabulary import Vocabulary, key, normalize

_log = logging.getLogger(__name__)

FOR_PREFIX_RE = re.compile(r"^\s*for\s+", re.IGNORECASE)
OTHER_THAN_RE = re.compile(r"\bother than\s+([^,.;:]+)", re.IGNORECASE)
AGE_RE = re.compile(r"\b(?:members\s+)?(?:age|aged)\s+\d+\s+(?:and|or)\s+(?:older|younger|over|under)\b", re.IGNORECASE)
WITH_QUALIFIER_RE = re.compile(r"^(.*?)\s+(with\s+(?:a\s+)?diagnosis\s+of\s+.+)$", re.IGNORECASE)
DATE_RE = re.compile(
    r"\b(?:on or after|beginning|effective|as of|starting|starting on)\s+"
    r"(\d{1,2}/\d{1,2}/\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},\s*\d{4})",
    re.IGNORECASE,
)
MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
SERVICE_AFTER_RE = re.compile(
    r"\b(?:determinations|decisions|authorizations?|requests?)\s+(?:for\s+(?:appropriateness of care for\s+)?)?"
    r"(?:select\s+|various\s+|certain\s+)?([a-z][\w ,/&-]{3,80}?)(?=\s+(?:that|which|for the|performed|covered|to\b)|[.:;]|$)",
    re.IGNORECASE,
)
PROPER_NAME_RE = re.compile(r"^[A-Z0-9][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|of|and|&))*$")
#: A mention this close to the start of an item (characters) "starts" the item.
START_SLACK = 5


def parse_date(text: str) -> Optional[date]:
    m = DATE_RE.search(text)
    if not m:
        return None
    raw = m.group(1)
    try:
        if "/" in raw:
            mo, d, y = (int(x) for x in raw.split("/"))
            y += 2000 if y < 100 else 0
            return date(y, mo, d)
        parts = raw.replace(",", " ").split()
        return date(int(parts[2]), MONTHS[parts[0][:3].lower()], int(parts[1]))
    except (ValueError, KeyError, IndexError):
        return None


@dataclass
class Section:
    vendor: Optional[str]
    stated: str
    new: bool
    level: int
    heading: str
    service: Optional[str] = None
    requirement: Optional[Requirement] = None
    accepting: bool = True
    lob_default: Optional[str] = None
    effective: Optional[date] = None
    candidate: bool = False  # unknown vendor waiting for delegation language


@dataclass
class Draft:
    """A rule under construction (exceptions may arrive in later blocks)."""

    vendor: str
    stated: str
    new: bool
    service: str
    lob: str
    segment: Segment
    scope: Scope
    requirement: Requirement
    block: Block
    page: int
    quote: str
    section: str
    pattern: str
    exceptions: list[ExceptionRef] = field(default_factory=list)
    inclusions: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    effective: Optional[date] = None


class Extractor:
    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or Vocabulary.load()
        self.annotate = Annotator(self.vocab)
        self.clauses = ClauseParser(self.vocab, self.annotate)

    # -- small helpers --------------------------------------------------------------------------
    def _vendor_in(self, ann: Annotated, before: int | None = None) -> Optional[tuple[str, str]]:
        for m in ann.of("VENDOR", "DEPT", "PORTAL"):
            if before is None or m.start < before:
                return m.canonical, m.surface
        return None

    def _service_in(self, text: str) -> Optional[str]:
        ann = self.annotate(text)
        svc = ann.of("SERVICE")
        if svc:
            return svc[0].canonical
        return None

    def _requirement(self, ann: Annotated) -> Optional[Requirement]:
        low = ann.text.lower()
        if ann.has("DETERMINES", "MANAGES", "ACCEPTS", "REQUIRES"):
            if "precertification" in low:
                return Requirement.PRECERTIFICATION
            if "notification" in low and "authorization" not in low:
                return Requirement.NOTIFICATION
            return Requirement.PRIOR_AUTHORIZATION
        if ann.has("PROVIDES", "ADMINISTERS"):
            return Requirement.CARE_MANAGEMENT
        return None

    def _lob_at_start(self, ann: Annotated) -> Optional[tuple[str, int]]:
        text = ann.text
        lead = FOR_PREFIX_RE.match(text)
        offset = lead.end() if lead else 0
        for m in ann.of("LOB"):
            if m.start <= offset + START_SLACK:
                return m.canonical, m.end
        return None

    def document_payer(self, doc: Document) -> str:
        votes: Counter = Counter()
        for b in doc.blocks[:400]:
            ann = self.annotate(b.text if b.kind is not BlockKind.TABLE else b.text[:2000])
            weight = 5 if b.kind is BlockKind.HEADING and b.level == 1 else 1
            for m in ann.of("PAYER"):
                votes[m.canonical] += weight
            for m in ann.of("LOB"):
                payer = self.vocab.lob_payer(m.canonical)
                if payer:
                    votes[payer] += 1
        return votes.most_common(1)[0][0] if votes else "unknown payer"

    # -- the walk --------------------------------------------------------------------------------
    def extract(self, doc: Document) -> list[Statement]:
        self.doc = doc
        self.payer = self.document_payer(doc)
        self.drafts: list[Draft] = []
        self.sec: Optional[Section] = None
        self.parent_lob: dict[int, tuple[str, bool]] = {}  # depth → (lob, header-only item)
        self.item_service: dict[int, tuple[str, list[str]]] = {}
        self.last: list[Draft] = []
        self.open_exc: Optional[tuple[int, list[Draft]]] = None
        mentioned = {m.canonical for b in doc.blocks if b.kind is not BlockKind.TABLE for m in self.annotate(b.text).of("LOB")}
        # a document that names one line of business (a deck's "Applicable memberships") scopes its prose
        self.doc_lob = next(iter(mentioned)) if len(mentioned) == 1 else "all"
        for b in doc.blocks:
            if b.kind is BlockKind.HEADING:
                self._heading(b)
            elif b.kind is BlockKind.LIST_ITEM:
                self._item(b)
            elif b.kind is BlockKind.TABLE:
                self._table(b)
            elif b.kind is BlockKind.PARAGRAPH:
                self._paragraph(b)
        return self._finish()

    def _heading(self, b: Block) -> None:
        text = normalize(b.text)
        parts = DASH_RE.split(text, maxsplit=1)
        left, right = parts[0], parts[1] if len(parts) > 1 else ""
        ann = self.annotate(left)
        vendor = self._vendor_in(ann)
        self.parent_lob.clear()
        self.item_service.clear()
        self.open_exc = None
        if vendor and not any(m.label == "LOB" and m.start == 0 for m in ann.mentions):
            canonical, stated = vendor
            svc = None
            if right:
                svc = self._service_in(right) or (None if re.search(r"\bmembers?\b", right, re.I)
                                                  else key(FOR_PREFIX_RE.sub("", right)))
            self.sec = Section(canonical, normalize(left), False, b.level, b.text, service=svc,
                               effective=parse_date(b.text))
            return
        if self.sec and b.level <= self.sec.level:
            # a sibling heading that names no vendor: maybe a vendor we do not know yet
            self.sec = None
        if self.sec is None:
            if PROPER_NAME_RE.match(left) and len(left.split()) <= 6 and not ann.of("LOB", "SERVICE"):
                svc = self._service_in(right) if right else None
                self.sec = Section(None, left, True, b.level, b.text, service=svc, candidate=True,
                                   effective=parse_date(b.text))
            return
        self.sec.accepting = False

    def _section_ok(self) -> bool:
        return self.sec is not None and self.sec.accepting and self.sec.vendor is not None

    def _paragraph(self, b: Block) -> None:
        text = normalize(b.text)
        ann = self.annotate(b.text)
        sec = self.sec
        if sec and sec.accepting:
            if EXC_RE.match(text) and self.last:
                refs = self.clauses.exception_list(text)
                for d in self.last:
                    d.exceptions.extend(refs)
                return
            req = self._requirement(ann)
            if sec.vendor and not sec.service and ann.of("SERVICE"):
                sec.service = ann.of("SERVICE")[0].canonical  # "Provides a second-opinion service …"
            if sec.candidate and sec.vendor is None:
                # an unknown vendor named by its section heading: confirmed when the section's
                # sentence has no other subject ("Makes authorization determinations for …") or
                # names the heading ("Acme Health manages authorizations …")
                subjectless = bool(req) and (ann.cues and ann.cues[0][1] <= START_SLACK)
                if req and (subjectless or key(sec.stated) in key(text)) and not self._vendor_in(ann):
                    sec.vendor, sec.candidate = sec.stated, False
                else:
                    self._prose(b, ann)
                    return
            if sec.vendor and req and not sec.requirement:
                sec.requirement = req
            if sec.vendor and req and not sec.service:
                sec.service = self._service_in(b.text) or self._service_phrase(text)
            lobs = ann.of("LOB")
            if sec.vendor and lobs and re.search(r"\bas follows\b|following", text, re.I):
                sec.lob_default = lobs[0].canonical
            if sec.vendor and ann.has("NEGATED") and lobs:
                self._negated(b, ann)
            return
        self._prose(b, ann)

    def _service_phrase(self, text: str) -> Optional[str]:
        m = SERVICE_AFTER_RE.search(text)
        return key(m.group(1)) if m else None

    def _negated(self, b: Block, ann: Annotated) -> None:
        vendor = self._vendor_in(ann)
        if not vendor or not self.sec or vendor[0] != self.sec.vendor:
            return
        for m in ann.of("LOB"):
            self._emit(b, b.text, m.canonical, Segment.ALL, Scope.NONE, "negated-sentence")

    def _service_for(self, depth: int) -> tuple[Optional[str], list[str]]:
        for d in sorted(self.item_service, reverse=True):
            if d < depth:
                return self.item_service[d]
        return (self.sec.service if self.sec else None), []

    def _lob_for(self, depth: int) -> Optional[str]:
        for d in sorted(self.parent_lob, reverse=True):
            lob, header_only = self.parent_lob[d]
            if d < depth or (d == depth and header_only):
                return lob
        return self.sec.lob_default if self.sec else None

    def _item(self, b: Block) -> None:
        if not self._section_ok():
            if self.sec is None or not self.sec.accepting:
                self._prose(b, self.annotate(b.text))
            return
        depth = b.level
        for d in [d for d in self.item_service if d >= depth]:
            del self.item_service[d]
        text = normalize(b.text)
        ann = self.annotate(b.text)
        # items inside an open "Exceptions:" list (deeper, or flattened to the same depth)
        if self.open_exc and depth >= self.open_exc[0] and not self._lob_at_start(ann) \
                and not self.clauses.parse(text):
            refs = self.clauses.exception_list(text)
            for d in self.open_exc[1]:
                d.exceptions.extend(refs)
            return
        self.open_exc = None
        if EXC_RE.match(text) and self.last:
            refs = self.clauses.exception_list(text)
            for d in self.last:
                d.exceptions.extend(refs)
            return
        if ann.has("NEGATED") and ann.of("LOB"):
            self._negated(b, ann)
            return
        lob_start = self._lob_at_start(ann)
        svc_lead = FOR_PREFIX_RE.match(text) and ann.of("SERVICE") and not lob_start
        if svc_lead:
            service = ann.of("SERVICE")[0].canonical
            conds = [f"other than {m.group(1).strip()}" for m in OTHER_THAN_RE.finditer(text)]
            self.item_service[depth] = (service, conds)
            lobs = ann.of("LOB")
            if lobs:
                self.parent_lob = {d: v for d, v in self.parent_lob.items() if d < depth}
                self.parent_lob[depth] = (lobs[0].canonical, True)
            if ":" in text and not text.rstrip().endswith(":"):
                tail = text.rsplit(":", 1)
                groups = self.clauses.groups_in(tail[1])
                if groups:
                    lob = (lobs[0].canonical if lobs else None) or self._lob_for(depth)
                    segs = [s for s in self.clauses.segments_in(tail[0]) if s in (Segment.FULLY_INSURED, Segment.SELF_FUNDED)] or [Segment.GROUP]
                    if lob:
                        self.last = [self._emit(b, b.text, lob, seg, Scope.ONLY, "service-lead-item",
                                                inclusions=[g.name for g in groups], service=service,
                                                conditions=conds) for seg in segs]
            return
        if lob_start:
            lob, end = lob_start
            self.parent_lob = {d: v for d, v in self.parent_lob.items() if d < depth}
            rest = ann.text[end:].strip()
            if not rest or rest in (".", ":"):
                self.parent_lob[depth] = (lob, True)
                return
            self.parent_lob[depth] = (lob, False)
            self._emit_clauses(b, lob, self.clauses.parse(rest.lstrip("—–- ").strip()), depth, "lob-item")
            return
        clauses = self.clauses.parse(text)
        if clauses:
            lob = self._lob_for(depth)
            if lob:
                self._emit_clauses(b, lob, clauses, depth, "segment-item")

    def _emit_clauses(self, b: Block, lob: str, clauses: list[Clause], depth: int, pattern: str, quote: str | None = None,
                      service: str | None = None, extra_conditions: list[str] | None = None) -> None:
        for c in clauses:
            group: list[Draft] = []
            for seg in c.segments:
                group.append(self._emit(b, quote or b.text, lob, seg, c.scope, pattern, inclusions=list(c.inclusions),
                                        exceptions=list(c.exceptions), conditions=c.conditions + (extra_conditions or []),
                                        service=service))
            if c.open_exceptions:
                self.open_exc = (depth, group)
            self.last = group

    def _emit(self, b: Block, quote: str, lob: str, segment: Segment, scope: Scope, pattern: str, *,
              inclusions=None, exceptions=None, conditions=None, service=None, page=None) -> Optional[Draft]:
        sec = self.sec
        svc, svc_conds = self._service_for(b.level if b.kind is BlockKind.LIST_ITEM else 99)
        service = service or svc
        if not sec or not sec.vendor or not service:
            return None
        requirement = sec.requirement or Requirement.PRIOR_AUTHORIZATION
        d = Draft(vendor=sec.vendor, stated=sec.stated, new=sec.new or not self.vocab.is_known_vendor(sec.vendor),
                  service=service, lob=lob, segment=segment, scope=scope, requirement=requirement, block=b,
                  page=page or b.page, quote=quote, section=sec.heading, pattern=pattern,
                  exceptions=list(exceptions or []), inclusions=list(inclusions or []),
                  conditions=list(svc_conds) + list(conditions or []), effective=parse_date(quote) or sec.effective)
        self.drafts.append(d)
        return d

    def _table(self, b: Block) -> None:
        if not self._section_ok():
            return
        for row in b.rows:
            if row.header:
                continue
            lob_cell = None
            for i, cell in enumerate(row.cells):
                first = cell.split("\n", 1)[0]
                if self._lob_at_start(self.annotate(first)):
                    lob_cell = i
                    break
            if lob_cell is None:
                continue
            svc_text = next((c for i, c in enumerate(row.cells) if i != lob_cell and c.strip()), "")
            service, conds = self._table_service(svc_text)
            lines = row.cells[lob_cell].split("\n")
            notes = [ln for ln in lines if not self._lob_at_start(self.annotate(ln))]
            for n in notes:
                age = AGE_RE.search(normalize(n))
                conds.append(age.group(0) if age else re.sub(r"^note:\s*", "", normalize(n), flags=re.I))
            for ln in lines:
                got = self._lob_at_start(self.annotate(ln))
                if not got:
                    continue
                lob, end = got
                rest = self.annotate(ln).text[end:].lstrip("—–- ").strip()
                for c in self.clauses.parse(rest):
                    for seg in c.segments:
                        self._emit(b, ln, lob, seg, c.scope, "table-row", inclusions=c.inclusions,
                                   exceptions=c.exceptions, conditions=c.conditions + conds, service=service,
                                   page=row.page)

    def _table_service(self, cell: str) -> tuple[Optional[str], list[str]]:
        text = normalize(cell.replace("\n", " "))
        canon = self.vocab.canonical("SERVICE", text)
        if canon:
            return canon, []
        m = WITH_QUALIFIER_RE.match(text)
        if m:
            base = self.vocab.canonical("SERVICE", m.group(1)) or key(m.group(1))
            return base, [m.group(2)]
        return (self._service_in(text) or key(text)) if text else None, []

    def _prose(self, b: Block, ann: Annotated) -> None:
        """A sentence naming a vendor, delegation language and a service, outside vendor sections."""
        if not ann.has("DETERMINES", "MANAGES", "ADMINISTERS", "ACCEPTS"):
            return
        vendors = ann.of("VENDOR", "DEPT", "PORTAL")
        services = ann.of("SERVICE")
        if not vendors or not services:
            return
        vendor = vendors[0].canonical
        lobs = [m.canonical for m in ann.of("LOB")]
        if not lobs:
            for h in reversed(b.section_path):
                lobs = [m.canonical for m in self.annotate(h).of("LOB")]
                if lobs:
                    break
        lobs = lobs or [self.doc_lob]
        req = self._requirement(ann) or Requirement.PRIOR_AUTHORIZATION
        effective = parse_date(ann.text) or next((parse_date(h) for h in b.section_path if parse_date(h)), None)
        for svc in dict.fromkeys(m.canonical for m in services):
            for lob in dict.fromkeys(lobs):
                self.drafts.append(Draft(vendor=vendor, stated=vendors[0].surface, new=False, service=svc, lob=lob,
                                         segment=Segment.ALL, scope=Scope.ALL, requirement=req, block=b, page=b.page,
                                         quote=b.text, section=" > ".join(b.section_path), pattern="prose-sentence",
                                         effective=effective))

    def _finish(self) -> list[Statement]:
        out: dict[str, Statement] = {}
        for d in self.drafts:
            payer = self.vocab.lob_payer(d.lob) or self.vocab.department_payer(d.vendor) or self.payer
            refs = tuple(sorted(set(d.exceptions)))
            program = ProgramType.CARE_MANAGEMENT if d.requirement is Requirement.CARE_MANAGEMENT else ProgramType.UTILIZATION_MANAGEMENT
            st = Statement(
                doc_id=self.doc.doc_id, payer=payer, vendor=d.vendor, program_type=program, service=d.service,
                line_of_business=d.lob, segment=d.segment, scope=d.scope, requirement=d.requirement,
                page=d.page, quote=d.quote, block_index=d.block.index,
                exceptions=tuple(sorted({r.name for r in refs})), inclusions=tuple(sorted(set(d.inclusions))),
                conditions="; ".join(dict.fromkeys(c for c in d.conditions if c)) or None,
                effective_from=d.effective, vendor_as_stated=d.stated, vendor_new=d.new,
                exception_refs=refs, section=d.section, pattern=d.pattern,
            ).with_id()
            out.setdefault(st.rule_id, st)
        return list(out.values())


def extract_statements(doc: Document, vocab: Vocabulary | None = None) -> list[Statement]:
    return _extractor(vocab).extract(doc)


_EXTRACTORS: dict[int, Extractor] = {}


def _extractor(vocab: Vocabulary | None) -> Extractor:
    v = vocab or Vocabulary.load()
    ex = _EXTRACTORS.get(id(v))
    if ex is None:
        ex = _EXTRACTORS[id(v)] = Extractor(v)
    return ex
