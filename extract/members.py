"""Membership statements: which lines of business and segments a rule covers, and how much.

Two readers:

* ``unit`` reads a list item, table cell or label that is about members: "Commercial HMO and
  POS: fully insured and self-funded employer groups", "BlueMedicare HMO and PPO: Most members —
  except …", "Fully insured: every member", "Northwind Employee Plan (NEP): excluded from this
  program", "Medicare Plus Blue — All groups and all members with individual coverage".
* ``in_sentence`` finds the lines a sentence names: "for X and Y members", "members enrolled in
  X plans", "to all X members and to Y members", "are outside this program: A, B and C".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Optional

from .clauses import Clause, ClauseParser
from .lob import Lob, LobNamer
from .model import ExceptionRef, Scope, Segment
from .nlp import Annotator
from .patterns import LABEL_MAX_WORDS, NONE_RE, VERB_RE
from .text import dates_in, fold, normalize

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

HEAD_SPLIT_RE = re.compile(r"\s*:\s+|\s+[—–]\s+|\s+-\s+|\s*:\s*$")
#: lower-case words that close a line-of-business phrase ("… Medicaid members", "… PPO plans"); a
#: capitalised "Plan" belongs to a name ("Zephyr Advantage Health Plan")
ANCHOR_RE = re.compile(
    r"\b(?:members?|enrollees|beneficiaries|subscribers|plans?|coverage|products?|policies|"
    r"policyholders|lines?\s+of\s+business|employees|retirees|population)\b"
)
#: words that may sit inside a line-of-business phrase although they are lower case
LOB_LOWER_WORDS = {
    "commercial",
    "individual",
    "medicare",
    "medicaid",
    "advantage",
    "supplement",
    "non-hmo",
    "and",
    "group",
    "fully",
    "insured",
    "self-funded",
    "self-insured",
    "funded",
    "employer",
    "family",
    "aca",
    "marketplace",
    "exchange",
    "retiree",
    "of",
    "under-65",
    "dual",
    "eligible",
    "managed",
    "care",
}
STOP_LEFT = {
    "for",
    "to",
    "of",
    "in",
    "with",
    "the",
    "our",
    "all",
    "most",
    "some",
    "select",
    "every",
    "each",
    "any",
    "members",
    "member",
    "enrolled",
    "who",
    "whose",
    "are",
    "is",
    "by",
    "from",
    "on",
    "at",
    "as",
    "their",
    "these",
    "those",
    "plan",
    "plans",
    "both",
    "either",
    "certain",
    "pregnant",
    "eligible",
    "new",
    "other",
    "your",
    "its",
    "that",
    "include",
    "includes",
    "including",
    "except",
    "not",
    "a",
    "an",
}
#: A service word inside a name makes it a program, not a line ("Medicare Advantage High Tech Radiology …").
SERVICE_WORD_RE = re.compile(
    r"\b(?:radiology|imaging|oncology|cardiology|therapy|surgery|sleep|disorder|testing|"
    r"diagnostics)\b",
    re.IGNORECASE,
)
#: Capitalised only because they begin a sentence ("For …", "All …"): never part of a name.
FUNCTION_WORDS = (STOP_LEFT - {"plan", "plans", "members", "member", "and", "of", "other"}) | {
    "qualified",
    "adult",
    "adults",
    "current",
    "existing",
    "note",
    "offers",
    "offer",
    "is",
    "are",
    "covered",
}
PER_SERVICE_DATE_RE = re.compile(
    r"([A-Za-z][\w /&-]{2,60}?)\s+(?:from|since|starting|beginning|as\s+of|effective)\s+"
    r"((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}/\d{1,2}/\d{2,4})",
    re.I,
)


@dataclass
class Member:
    """One line of business × segment the text covers, with its scope and carve-outs."""

    lob: Optional[Lob]
    segment: Segment
    scope: Scope
    exceptions: list[ExceptionRef] = field(default_factory=list)
    inclusions: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    effective: Optional[date] = None
    service_dates: dict[str, date] = field(default_factory=dict)
    open_exceptions: bool = False
    explicit_scope: bool = True


class MemberReader:
    def __init__(self, vocab: Vocabulary, annotate: Annotator, lobs: LobNamer, clauses: ClauseParser) -> None:
        self.vocab = vocab
        self.annotate = annotate
        self.lobs = lobs
        self.clauses = clauses

    # -- units ----------------------------------------------------------------------------------------
    def lobish(self, text: str, strict: bool = False) -> bool:
        """Does ``text`` name a line of business (a vocabulary term, a plan type, or — when not
        strict — a short capitalised product name)?"""
        t = normalize(text).strip(" .:;,")
        if (
            not t
            or len(re.sub(r"\([^()]*\)", " ", t).split()) > LABEL_MAX_WORDS
            or VERB_RE.search(t)
            or re.match(r"[\d.,]+[MKBk%+]?\s", t)
            or SERVICE_WORD_RE.search(re.sub(r"\([^()]*\)", " ", t))
        ):
            return False  # a sentence, or a statistic ("25.5M Commercial Memberships")
        ann = self.annotate(t)
        if ann.of("VENDOR", "DEPT", "PORTAL"):
            return False  # "Zephyr Plus and Northwind Utilization Management" names who reviews
        if ann.of("LOB", "PLANTYPE"):
            return True
        if ann.of("SERVICE", "GROUP", "NOTVENDOR") or strict:
            return False
        words = re.findall(r"[A-Za-z][\w'’-]*", re.sub(r"\([^)]*\)", " ", t))
        caps = [w for w in words if w[:1].isupper()]
        return bool(words) and len(caps) >= max(1, len(words) - 1) and len(words) <= 6

    def unit(self, text: str, doc_payer: Optional[str] = None, lob_context: bool = False) -> list[Member]:
        """Members stated by a list item or cell. ``lob_context``: the unit stands where a line of
        business is expected (an "Applicable memberships" list, a plans column)."""
        t = normalize(text).strip(" .;")
        if not t:
            return []
        m = HEAD_SPLIT_RE.search(t)
        head, rest = (t[: m.start()], t[m.end() :]) if m else (t, "")
        head_segs = self.lobs.segments_in(head)
        head_clauses = self.clauses.parse(head) if not rest else []
        dates = self._service_dates(t)
        if rest and (
            self.lobish(head, strict=not lob_context) or (head_segs and not self.clauses.scope_re.search(head))
        ):
            lobs = self._lobs(head, doc_payer)
            return self._dated(self._members(lobs, rest, head_segs), dates)
        if not rest and head_clauses and not (lob_context and self.lobish(head, strict=True)):
            return self._from_clauses(None, head_clauses)
        if (lob_context or self.lobish(t, strict=True)) and self.lobish(head, strict=not lob_context):
            lobs = self._lobs(head, doc_payer)
            return self._dated(self._members(lobs, rest, head_segs), dates)
        clauses = self.clauses.parse(t)
        return self._from_clauses(None, clauses)

    @staticmethod
    def _dated(members: list[Member], dates: dict[str, date]) -> list[Member]:
        for m in members:
            m.service_dates = {**dates, **m.service_dates}
        return members

    def _lobs(self, phrase: str, doc_payer: Optional[str]) -> list[Lob]:
        out = []
        for part in self.lobs.split(phrase):
            lob = self.lobs.name(part, doc_payer, in_table=True)
            if lob is not None:
                out.append(lob)
        return out

    def _members(self, lobs: list[Lob], rest: str, head_segs: list[Segment]) -> list[Member]:
        out: list[Member] = []
        clauses = self.clauses.parse(rest) if rest.strip() else []
        dates = self._service_dates(rest)
        if rest.strip() and not clauses and NONE_RE.search(rest):
            clauses = [Clause(Scope.NONE, [Segment.ALL], rest)]
        lines: list[Optional[Lob]] = list(lobs) or [None]
        for lob in lines:
            implied = list(lob.segments) if lob else list(head_segs)
            if clauses:
                for c in clauses:
                    segs = c.segments
                    funding: list[Segment] = [s for s in implied if s is not Segment.GROUP]
                    if segs in ([Segment.ALL], [Segment.GROUP]) and funding:
                        segs = funding  # "Commercial fully insured: All groups"
                    elif segs == [Segment.ALL] and implied == [Segment.GROUP]:
                        segs = [Segment.GROUP]
                    for seg in segs:
                        out.append(
                            Member(
                                lob,
                                seg,
                                c.scope,
                                list(c.exceptions),
                                list(c.inclusions),
                                list(c.conditions),
                                c.effective,
                                dates,
                                c.open_exceptions,
                                c.explicit_scope,
                            )
                        )
            else:
                segs = [s for s in implied if s is not Segment.GROUP] or implied or [Segment.ALL]
                extra = [rest.strip(" ()")] if rest.strip() and not dates else []
                for seg in segs:
                    out.append(Member(lob, seg, Scope.ALL, conditions=extra, service_dates=dates, explicit_scope=False))
        return out

    def _from_clauses(self, lob: Optional[Lob], clauses: list[Clause]) -> list[Member]:
        return [
            Member(
                lob,
                seg,
                c.scope,
                list(c.exceptions),
                list(c.inclusions),
                list(c.conditions),
                c.effective,
                {},
                c.open_exceptions,
                c.explicit_scope,
            )
            for c in clauses
            for seg in c.segments
        ]

    def _service_dates(self, text: str) -> dict[str, date]:
        out = {}
        for m in PER_SERVICE_DATE_RE.finditer(text):
            d = dates_in(m.group(2))
            if d:
                name = re.sub(r"^.*[(;,]\s*", "", m.group(1)).strip()
                out[fold(name)] = d[0].value
        return out

    # -- sentences ------------------------------------------------------------------------------------
    def in_sentence(self, text: str, doc_payer: Optional[str] = None) -> list[tuple[Lob, int, int]]:
        """Lines of business a sentence names, with their spans."""
        spans: list[tuple[int, int]] = []
        for m in ANCHOR_RE.finditer(text):
            a = self._walk_left(text, m.start())
            if a is not None and a < m.start():
                spans.append((a, m.start()))
        ann = self.annotate(text)
        for lm in [] if spans else ann.of("LOB"):
            if not any(a <= lm.start < b for a, b in spans):
                a = self._walk_left(text, lm.end)
                a = min(a, lm.start) if a is not None else lm.start
                b = self._walk_right(text, lm.end)
                spans.append((a, b))
        colon = re.search(r"(?:program|programs|requirement|requirements|following|members)\s*:\s*(.+)$", text)
        if colon:
            spans.append((colon.start(1), colon.end(1)))
        spans = _merge(spans)
        out: list[tuple[Lob, int, int]] = []
        for a, b in spans:
            phrase = text[a:b]
            pos = a
            for part in self.lobs.split(phrase):
                lob = self.lobs.name(part, doc_payer)
                start = text.find(part, pos)
                pos = start + len(part) if start >= 0 else pos
                if lob is None:
                    continue
                core = fold(part)
                if not core or (not self.lobish(part) and not lob.segments):
                    continue
                out.append((lob, max(start, a), max(start, a) + len(part)))
        return out

    def _walk_left(self, text: str, end: int) -> Optional[int]:
        """Start of the name ending at ``end``: capitalised words, line-of-business words, parentheses."""
        tokens = list(re.finditer(r"\([^()]*\)|[\w'’./&+-]+|,", text[:end]))
        start = None
        for tok in reversed(tokens):
            w = tok.group(0)
            low = w.lower().strip(".,")
            if w.startswith("("):
                start = tok.start()
                continue
            if w == ",":
                if start is None:
                    break
                start = tok.start()
                continue
            if w[:1].isupper():
                if low in ("members", "member", "providers") or low in FUNCTION_WORDS:
                    break
                start = tok.start()
                continue
            if low in STOP_LEFT and not (low in ("and", "of") and start is not None):
                break
            if low in LOB_LOWER_WORDS or self.lobs.is_plan_types(w) or w[:1].isdigit():
                start = tok.start()
                continue
            break
        if start is None:
            return None
        phrase = text[start:end]
        phrase_l = re.sub(r"^(?:,|and|or|of)\s+", "", phrase.strip(), flags=re.I)
        return end - len(phrase_l.rstrip()) - (len(phrase) - len(phrase.rstrip())) if phrase_l else None

    def _walk_right(self, text: str, pos: int) -> int:
        m = re.match(r"(?:\s*\([^()]*\)|\s+(?:HMO|PPO|POS|EPO|PFFS|HSP|D-SNP)\b|\s*/\s*[A-Z]{2,4}\b)*", text[pos:])
        end = pos + (m.end() if m else 0)
        # a product named with the generic term inside it: "Medicare HMO |Blue Plan|", "Medicaid |Plus|"
        brand = re.match(r"(?:\s+(?-i:[A-Z])[\w'’&+-]*){1,3}", text[end:])
        if brand and not any(
            w.lower() in FUNCTION_WORDS or w.lower() in ("members", "member", "providers")
            for w in brand.group(0).split()
        ):
            end += brand.end()
        return end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
