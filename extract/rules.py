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
NOT_REQUIRED_RE = re.compile(
    r"\b(?:not|n't)\s+(?:be\s+)?(?:required|apply|needed)\b|\bno\s+(?:prior\s+)?(?:authorization|precertification|notification)"
    r"\s+is\s+(?:required|needed)|\bdo(?:es)?n't\s+(?:require|apply|need)\b|\bdo(?:es)?\s+not\s+(?:require|apply|need)\b",
    re.IGNORECASE)
DELEGATION_HEAD_RE = re.compile(r"\b(?:manag|vendor|administ|determin|contact|who\b|handl|review)", re.IGNORECASE)
LEADING_DATE_RE = re.compile(r"^(?:(?:on or after|beginning|effective|as of|starting(?: on)?)\s+[^,]+,\s*)", re.IGNORECASE)
REQUIREMENT_WORD_RE = re.compile(r"authoriz|precertif|pre-certif|notif|prior approval|requirements?\b", re.IGNORECASE)
LEAD_APPLIES_RE = re.compile(r"\bappl(?:y|ies)\s+to\b", re.IGNORECASE)
LEAD_TAIL_RE = re.compile(r"\b(?:(?:apply|applies)\s+to|required\s+for)\s+(.*?):?\s*$", re.IGNORECASE)
NOT_INCLUDE_RE = re.compile(r"\(?\bdoes\s+not\s+include\s+([^)]+?)\)?\s*:?\s*$", re.IGNORECASE)
WITHIN_RE = re.compile(r"\bwithin\s+\d+\s+\w+(?:\s+of\s+(?:the\s+)?\w+)?", re.IGNORECASE)
PERFORMED_RE = re.compile(r"\bperformed\s+(?:in|at|by)\s+[^.,;:]+", re.IGNORECASE)
FIRST_PERSON_RE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
CONDITIONAL_RE = re.compile(r"\b(?:if|when|unless|within|except)\b", re.IGNORECASE)
FOR_LIST_RE = re.compile(r"\bnot\s+required\s+for\s+(.+?)\.?$", re.IGNORECASE)
#: Headings that name a part of a page, not a setting of care.
GENERIC_HEADINGS = {"overview", "resources", "introduction", "summary", "background", "details", "notes"}
#: the agent of a passive delegation verb: capitalised words (with "of", "and", "&" inside)
AGENT_RE = re.compile(r"\s*((?:[A-Z0-9][\w.&'’-]*)(?:\s+(?:of|and|&)?\s*[A-Z0-9][\w.&'’-]*)*)")
PROPER_NAME_RE = re.compile(r"^[A-Z0-9][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|of|and|&))*$")
#: A mention this close to the start of an item (characters) "starts" the item.
START_SLACK = 5


def _is_label(text: str) -> bool:
    """A short name or phrase, not a sentence: at most 8 words, no sentence break, no leading number."""
    return len(text.split()) <= 8 and not re.search(r"[.?!]\s|[?!]$", text) and not re.match(r"^\d+[.)]\s", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of a block's original text (each a verbatim substring, so it can be a quote)."""
    return [p for p in SENTENCE_SPLIT_RE.split(text.strip()) if p.strip()]


def requirement_in(text: str) -> Optional[Requirement]:
    """The kind of requirement a sentence or table cell states ("Notification within 72 hours" …)."""
    low = text.lower()
    if NOT_REQUIRED_RE.search(low) or re.match(r"^\s*no\b", low):
        return Requirement.NOT_REQUIRED
    if "notification" in low and ("not prior authorization" in low or "authorization" not in low):
        return Requirement.NOTIFICATION
    if "precertification" in low or "pre-certification" in low:
        return Requirement.PRECERTIFICATION
    if re.search(r"\bauthoriz|\bprior approval|\bpre-?approval", low) or re.match(r"^\s*yes\b", low):
        return Requirement.PRIOR_AUTHORIZATION
    return None


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
class Lead:
    """A sentence ending in ":" whose list (or table) follows: "Prior authorization does NOT apply to …:"."""

    kind: str  # "applies" | "not_required" | "plans"
    block: Block
    quote: str = ""
    items: list[Block] = field(default_factory=list)
    drafts: list["Draft"] = field(default_factory=list)


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
            # "… should request authorization for chiropractic services. Acme administers the program."
            return Requirement.PRIOR_AUTHORIZATION if "authoriz" in low else Requirement.CARE_MANAGEMENT
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
        self.title_services = list(dict.fromkeys(
            m.canonical for b in doc.blocks[:12] if b.kind is BlockKind.HEADING and b.level <= 2
            for m in self.annotate(b.text).of("SERVICE")))
        self.lead: Optional[Lead] = None
        for b in doc.blocks:
            if self.lead is not None:
                if b.kind is BlockKind.LIST_ITEM:
                    self.lead.items.append(b)
                    continue
                if b.kind is BlockKind.TABLE and self.lead.kind == "plans" and not self.lead.items:
                    self._lead_table(b)
                    self.lead = None
                    continue
                self._close_lead()
            if b.kind is BlockKind.HEADING:
                self._heading(b)
            elif b.kind is BlockKind.LIST_ITEM:
                self._item(b)
            elif b.kind is BlockKind.TABLE:
                self._table(b)
            elif b.kind is BlockKind.PARAGRAPH:
                self._paragraph(b)
        self._close_lead()
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
            if PROPER_NAME_RE.match(left) and len(left.split()) <= 6 and not ann.of("LOB", "SERVICE") \
                    and left.strip().lower() not in GENERIC_HEADINGS:
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
        if self._lead_in(b):
            return
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
                # ("We require …" has a subject: the payer)
                subjectless = bool(req) and bool(ann.cues) and ann.cues[0][1] <= START_SLACK \
                    and not FIRST_PERSON_RE.match(text)
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

    def _lead_in(self, b: Block) -> bool:
        """Open a lead-in list for "… does NOT apply to services performed in:"; earlier sentences of
        the paragraph are read as requirement sentences."""
        sentences = split_sentences(b.text)
        last = normalize(sentences[-1]) if sentences else ""
        if not last.rstrip().endswith(":") or not REQUIREMENT_WORD_RE.search(last):
            return False
        last_ann = self.annotate(sentences[-1])
        if NOT_REQUIRED_RE.search(last):
            kind = "not_required"
        elif LEAD_APPLIES_RE.search(last) and not last_ann.has("REQUIRES"):
            kind = "applies"
        else:
            return False
        for sent in sentences[:-1]:
            self._requirement_sentence(b, self.annotate(sent), sent)
        self.lead = Lead(kind, b, quote=sentences[-1])
        return True

    def _unknown_subject(self, ann: Annotated) -> Optional[str]:
        """A proper name that is the subject of the delegation verb: "Orion Imaging manages authorizations …"."""
        cue = next((c for c in ann.cues if c[0] in ("DETERMINES", "MANAGES", "ADMINISTERS", "ACCEPTS")), None)
        if cue is None:
            return None
        if ann.text[cue[1]:cue[2]].lower().endswith(" by"):
            # passive: "The program is administered by Lumen Sleep Partners on our behalf."
            m = AGENT_RE.match(ann.text[cue[2]:])
            head = m.group(1) if m else ""
        else:
            head = LEADING_DATE_RE.sub("", ann.text[:cue[1]].strip())
            head = re.sub(r"\s+(?:will|now|also|currently|to)$", "", head).strip()
        if len(head.split()) >= 2 and PROPER_NAME_RE.match(head) and not self.annotate(head).mentions:
            return head
        return None

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
            self._requirement_table(b)
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
        """Sentences outside vendor sections: delegation ("Orion manages authorizations for …") or the
        payer's own requirements ("We require notification …"). Each rule quotes its sentence; a
        delegation spread over two sentences ("… for chiropractic services. Acme administers the
        program.") quotes the block."""
        sentences = split_sentences(b.text) or [b.text]
        drafts: list[Draft] = []
        own: list[Draft] = []  # the payer's own requirements stated in this block
        delegated = False
        for sent in sentences:
            sa = ann if len(sentences) == 1 else self.annotate(sent)
            drafts = self._delegation(b, sa, sent)
            delegated = delegated or bool(drafts)
            if not drafts:
                drafts = self._requirement_sentence(b, sa, sent)
                own += [d for d in drafts if d.vendor == self.vocab.self_department(self.payer)]
        if not delegated and len(sentences) > 1:
            # "We require … through our program. The program is administered by Acme.": one rule,
            # Acme's, quoting the block; the payer's own reading of the first sentence goes
            covered = {d.service for d in self._delegation(b, ann, b.text)}
            for d in own:
                if d.service in covered:
                    self.drafts.remove(d)
        last = normalize(sentences[-1]).rstrip()
        if drafts and last.endswith(":") and re.search(r"\bfollowing\b", last, re.I):
            self.lead = Lead("plans", b, quote=sentences[-1], drafts=drafts)

    def _delegation(self, b: Block, ann: Annotated, quote: str) -> list[Draft]:
        vendors = ann.of("VENDOR", "DEPT", "PORTAL")
        services = ann.of("SERVICE")
        subject = None if vendors else self._unknown_subject(ann)
        if not ann.has("DETERMINES", "MANAGES", "ADMINISTERS", "ACCEPTS") or not (vendors or subject) or not services:
            return []
        vendor, stated, new = (vendors[0].canonical, vendors[0].surface, False) if vendors else (subject, subject, True)
        lob_mentions = ann.of("LOB")
        lobs = [m.canonical for m in lob_mentions]
        # "… for most commercial HMO/POS …": the scope word before the first line of business
        scope = self._scope_before(ann.text, lob_mentions[0].start) if lob_mentions else Scope.ALL
        if not lobs:
            for h in reversed(b.section_path):
                lobs = [m.canonical for m in self.annotate(h).of("LOB")]
                if lobs:
                    break
        lobs = lobs or [self.doc_lob]
        req = self._requirement(ann) or Requirement.PRIOR_AUTHORIZATION
        effective = parse_date(ann.text) or next((parse_date(h) for h in b.section_path if parse_date(h)), None)
        out = []
        for svc in dict.fromkeys(m.canonical for m in services):
            for lob in dict.fromkeys(lobs):
                d = Draft(vendor=vendor, stated=stated, new=new, service=svc, lob=lob, segment=Segment.ALL,
                          scope=scope, requirement=req, block=b, page=b.page, quote=quote,
                          section=" > ".join(b.section_path), pattern="prose-sentence", effective=effective)
                self.drafts.append(d)
                out.append(d)
        return out

    # -- requirements stated by the payer itself ("we require …", "… is not required for …") ----
    def _scope_before(self, text: str, start: int) -> Scope:
        words = re.findall(r"[a-z]+", text[max(0, start - 24):start].lower())[-2:]
        for w in reversed(words):
            if w in self.clauses.scope_words:
                return self.clauses.scope_words[w]
        return Scope.ALL

    def _heading_service(self, b: Block) -> tuple[list[str], Optional[str]]:
        """Services named by the nearest heading that names one, and that heading."""
        for h in reversed(b.section_path):
            found = [m.canonical for m in self.annotate(h).of("SERVICE")]
            if found:
                return list(dict.fromkeys(found)), h
        return list(self.title_services[:1]), None

    def _setting(self, b: Block, service_heading: Optional[str]) -> list[str]:
        """The nearest heading as a setting of care, when it is not the service's own heading."""
        if len(b.section_path) < 2:
            return []  # the document's title is not a setting
        h = normalize(b.section_path[-1]).strip()
        ann = self.annotate(h)
        if h == service_heading or h.endswith("?") or h.lower() in GENERIC_HEADINGS \
                or re.search(r"\b(?:you|your|how|what|when)\b", h, re.I) or ann.of("LOB", "SERVICE", "VENDOR", "DEPT"):
            return []
        return [h]

    def _sentence_services(self, b: Block, ann: Annotated, negated: bool) -> tuple[list[str], Optional[str]]:
        found = [m.canonical for m in ann.of("SERVICE")]
        if found:
            return list(dict.fromkeys(found)), None
        if negated:
            m = FOR_LIST_RE.search(ann.text)
            if m:
                items = [i.strip(" ,.") for i in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+", m.group(1)) if i.strip(" ,.")]
                if items and all(len(i.split()) <= 5 and "member" not in i.lower() for i in items):
                    return [key(i) for i in items], None
        return self._heading_service(b)

    def _lob_mentions(self, ann: Annotated) -> list:
        """LOB mentions, and group mentions that are also a line of business (FEP is both)."""
        return [m for m in ann.mentions if m.label == "LOB"
                or (m.label == "GROUP" and self.vocab.canonical("LOB", m.canonical))]

    def _lobs_for(self, b: Block, ann: Annotated) -> tuple[list[str], Scope]:
        mentions = self._lob_mentions(ann)
        if mentions:
            return list(dict.fromkeys(m.canonical for m in mentions)), self._scope_before(ann.text, mentions[0].start)
        for h in reversed(b.section_path):
            found = [m.canonical for m in self._lob_mentions(self.annotate(h))]
            if found:
                return list(dict.fromkeys(found)), Scope.ALL
        # the document's only line of business, if it names just one; else nothing to go on
        return ([self.doc_lob] if self.doc_lob != "all" else []), Scope.ALL

    def _section_vendor(self, b: Block, services: Optional[list[str]] = None) -> Optional[tuple[str, str]]:
        """The vendor a delegation sentence named in this block's section or an enclosing one
        (for one of ``services`` when given, in any section under the same heading as this one:
        "Overview" names the vendor, "When requirements apply" says "we require …")."""
        path = tuple(b.section_path)
        for d in reversed(self.drafts):
            if d.pattern != "prose-sentence":
                continue
            p = tuple(d.block.section_path)
            if services is not None:
                p = p[:max(0, len(p) - 1)] if len(p) > 2 else p
                if d.service not in services:
                    continue
            # a section below the document's title: the title's section is the whole document
            if len(p) >= 2 and path[:len(p)] == p:
                return d.vendor, d.stated
        return None

    def _requirement_sentence(self, b: Block, ann: Annotated, quote: str) -> list[Draft]:
        text = ann.text
        negated = bool(NOT_REQUIRED_RE.search(text))
        if not (ann.has("REQUIRES") or (negated and REQUIREMENT_WORD_RE.search(text))):
            return []
        req = requirement_in(text)
        if req is None:
            return []
        services, svc_heading = self._sentence_services(b, ann, negated)
        if not services:
            return []
        lobs, scope = self._lobs_for(b, ann)
        if not lobs:
            return []
        vendors = ann.of("VENDOR", "DEPT", "PORTAL")
        own = (self.vocab.self_department(self.payer),) * 2
        if vendors:
            vendor, stated = vendors[0].canonical, vendors[0].surface
        elif FIRST_PERSON_RE.search(text):
            # "we require …": the payer itself, unless its section already said who administers
            # the program for these services ("Acme administers this program on our behalf")
            vendor, stated = self._section_vendor(b, services) or own
        else:
            vendor, stated = self._section_vendor(b) or own
        exceptions = [ExceptionRef(name=m.group(1).strip(), quote=quote) for m in [NOT_INCLUDE_RE.search(text)] if m]
        within = WITHIN_RE.search(text)
        conditions = self._setting(b, svc_heading) + [m.group(0).strip(" .") for m in (within, PERFORMED_RE.search(text)) if m]
        effective = parse_date(text) or next((parse_date(h) for h in b.section_path if parse_date(h)), None)
        out = []
        for svc in services:
            for lob in lobs:
                d = Draft(vendor=vendor, stated=stated, new=not self.vocab.is_known_vendor(vendor) and vendor != self.payer,
                          service=svc, lob=lob, segment=Segment.ALL, scope=scope, requirement=req, block=b, page=b.page,
                          quote=quote, section=" > ".join(b.section_path), pattern="requirement-sentence",
                          exceptions=list(exceptions), conditions=list(conditions), effective=effective)
                self.drafts.append(d)
                out.append(d)
        return out

    def _grid_table(self, b: Block, header) -> bool:
        """A service × line-of-business grid whose cells name who manages it (or "Not required")."""
        lob_cols = {}
        for i, c in enumerate(header.cells):
            got = self._lob_mentions(self.annotate(c))
            if got:
                lob_cols[i] = got[0].canonical
        if len(lob_cols) < 2:
            return False
        context = " ".join([header.cells[0]] + list(b.section_path[-1:]))
        names_ok = bool(DELEGATION_HEAD_RE.search(context))
        for row in b.rows:
            if row.header or not row.cells:
                continue
            svc_text = normalize(row.cells[0].replace("\n", " ")).strip()
            if not svc_text or (not self.vocab.canonical("SERVICE", svc_text) and not _is_label(svc_text)):
                continue
            service, conds = self._table_service(svc_text)
            for i, lob in lob_cols.items():
                if i >= len(row.cells) or not row.cells[i].strip():
                    continue
                cell = normalize(row.cells[i].replace("\n", " ")).strip(" .")
                if not _is_label(cell):
                    continue  # a sentence of instructions, not a name or a requirement
                ann = self.annotate(cell)
                req = requirement_in(cell) if REQUIREMENT_WORD_RE.search(cell) or re.match(r"^(?:no|none|n/a|not\s+required)\b", cell, re.I) else None
                vendors = ann.of("VENDOR", "DEPT", "PORTAL")
                if vendors:
                    vendor, stated, new = vendors[0].canonical, vendors[0].surface, False
                elif req is Requirement.NOT_REQUIRED:
                    vendor = stated = self.vocab.self_department(self.payer)
                    new = False
                elif names_ok and PROPER_NAME_RE.match(cell) and not ann.mentions:
                    vendor, stated, new = cell, cell, True
                else:
                    continue
                self.drafts.append(Draft(
                    vendor=vendor, stated=stated, new=new, service=service, lob=lob, segment=Segment.ALL,
                    scope=Scope.ALL,
                    requirement=req or Requirement.PRIOR_AUTHORIZATION, block=b, page=row.page,
                    quote=" | ".join(row.cells), section=" > ".join(b.section_path), pattern="grid-table",
                    conditions=list(conds), effective=parse_date(context)))
        return True

    def _requirement_table(self, b: Block) -> None:
        """A table of requirements by plan type: "Plan type | Admission type | Requirement"."""
        header = next((r for r in b.rows if r.header), None)
        if header is not None and self._grid_table(b, header):
            return
        heads = [normalize(c).lower() for c in header.cells] if header else []
        services, svc_heading = self._heading_service(b)
        if not services:
            return
        setting = self._setting(b, svc_heading)
        for row in b.rows:
            if row.header:
                continue
            cells = [normalize(c.replace("\n", " ")).strip() for c in row.cells]
            lob_i, lob_end, lob = None, 0, None
            for i, c in enumerate(cells):
                got = self._lob_at_start(self.annotate(c))
                if got:
                    lob_i, (lob, lob_end) = i, got
                    break
            if lob_i is None:
                self._contact_row(b, row, cells)
                continue
            req_cols = [i for i, h in enumerate(heads) if i != lob_i and i < len(cells)
                        and re.search(r"requirement|required|authoriz", h) and not re.search(r"who|contact", h)]
            req_cols = req_cols or [i for i, c in enumerate(cells) if i != lob_i and requirement_in(c)]
            if not req_cols:
                continue
            req_i = req_cols[0]
            req = requirement_in(cells[req_i])
            if req is None:
                continue
            vendor = None
            for i, c in enumerate(cells):
                if i in (lob_i, req_i):
                    continue
                v = self.annotate(c).of("VENDOR", "DEPT", "PORTAL")
                if v:
                    vendor, vendor_i = (v[0].canonical, v[0].surface), i
                    break
            if vendor is None:
                name = self.vocab.self_department(self.payer)
                vendor, vendor_i = self._section_vendor(b) or (name, name), -1
            low = cells[req_i].lower()
            scope = Scope.MOST if re.search(r"\bmost\b", low) else Scope.SOME if re.search(r"\bsome\b", low) else Scope.ALL
            rest = self.annotate(cells[lob_i]).text[lob_end:].strip(" .")
            conditions = list(setting)
            if rest and rest.lower() not in ("members", "plan members", "plans"):
                conditions.append(rest)
            conditions += [c for i, c in enumerate(cells) if i not in (lob_i, req_i, vendor_i) and c]
            if CONDITIONAL_RE.search(cells[req_i]):
                conditions.append(cells[req_i].strip(" ."))
            for svc in services:
                self.drafts.append(Draft(vendor=vendor[0], stated=vendor[1], new=not self.vocab.is_known_vendor(vendor[0]) and vendor[0] != self.payer,
                                         service=svc, lob=lob, segment=Segment.ALL, scope=scope, requirement=req, block=b,
                                         page=row.page, quote=" | ".join(row.cells), section=" > ".join(b.section_path),
                                         pattern="requirement-table", conditions=conditions))

    def _contact_row(self, b: Block, row, cells: list[str]) -> None:
        """"<service> | Contact <vendor>: …": the vendor named as the contact for a service."""
        for i, c in enumerate(cells):
            services = [m.canonical for m in self.annotate(c).of("SERVICE")]
            if not services:
                continue
            for j, other in enumerate(cells):
                if j == i or not re.match(r"\s*contact\b", other, re.I):
                    continue
                vendors = self.annotate(other).of("VENDOR")
                if not vendors:
                    continue
                lobs, _ = self._lobs_for(b, self.annotate(c))
                for svc in dict.fromkeys(services):
                    for lob in lobs or ["all"]:
                        self.drafts.append(Draft(
                            vendor=vendors[0].canonical, stated=vendors[0].surface, new=False, service=svc, lob=lob,
                            segment=Segment.ALL, scope=Scope.ALL, requirement=requirement_in(c) or Requirement.PRIOR_AUTHORIZATION,
                            block=b, page=row.page, quote=" | ".join(row.cells), section=" > ".join(b.section_path),
                            pattern="contact-table", conditions=[c]))
                return

    # -- lead-in sentences and their lists -------------------------------------------------------
    def _close_lead(self) -> None:
        lead, self.lead = self.lead, None
        if lead is None or not lead.items:
            return
        names = [normalize(i.text).strip(" .;") for i in lead.items if i.level <= lead.items[0].level]
        text = normalize(lead.quote or lead.block.text)
        tail = LEAD_TAIL_RE.search(text)
        what = (tail.group(1).strip() if tail else "").rstrip(":")
        listed = f"{what}: {'; '.join(names)}" if what else "; ".join(names)
        targets = [d for d in self.drafts if d.block.section_path == lead.block.section_path
                   and d.requirement is not Requirement.NOT_REQUIRED]
        if lead.kind == "applies":
            for d in targets:
                d.conditions.append(f"applies to {listed}")
            return
        if lead.kind == "not_required":
            seen = set()
            for d in targets:
                k = (d.vendor, d.service, d.lob, d.segment)
                if k in seen:
                    continue
                seen.add(k)
                self.drafts.append(replace(d, requirement=Requirement.NOT_REQUIRED, scope=Scope.ALL, block=lead.block,
                                           page=lead.block.page, quote=lead.quote or lead.block.text, pattern="not-required-list",
                                           exceptions=[], inclusions=[], conditions=[listed]))

    def _lead_table(self, b: Block) -> None:
        """"… enrolled in the following plans:" and a table of plans: the plans are the inclusions."""
        header = next((r for r in b.rows if r.header), None)
        heads = [normalize(c).lower() for c in header.cells] if header else []
        prefix_i = next((i for i, h in enumerate(heads) if "prefix" in h), None)
        plans, prefixes = [], []
        for row in b.rows:
            if row.header or not row.cells or not row.cells[0].strip():
                continue
            plans.append(normalize(row.cells[0].replace("\n", " ")).strip())
            if prefix_i is not None and prefix_i < len(row.cells) and row.cells[prefix_i].strip():
                prefixes.append(normalize(row.cells[prefix_i]).strip())
        for d in self.lead.drafts if self.lead else []:
            d.scope = Scope.ONLY
            d.inclusions.extend(plans)
            if prefixes:
                d.conditions.append("prefixes: " + ", ".join(dict.fromkeys(prefixes)))

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
