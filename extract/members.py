"""Membership statements: which lines of business and segments a rule covers, and how much.

``unit`` reads a list item, table cell or label that is about members: "Commercial HMO and
POS: fully insured and self-funded employer groups", "BlueMedicare HMO and PPO: Most members —
except …", "Fully insured: every member", "Northwind Employee Plan (NEP): excluded from this
program", "Medicare Plus Blue — All groups and all members with individual coverage". Finding the
lines a sentence names (``in_sentence``) and whether a phrase names one (``lobish``) is
``member_lines.py``'s (``LineFinder``, the base of ``MemberReader``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Optional

from .clauses import Clause, ClauseParser
from .lob import Lob, LobNamer
from .member_lines import LineFinder
from .model import ExceptionRef, Scope, Segment
from .nlp import Annotator
from .patterns import NONE_RE
from .prefilter import prefilter_module
from .text import dates_in, fold, normalize

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

HEAD_SPLIT_RE = re.compile(r"\s*:\s+|\s+[—–]\s+|\s+-\s+|\s*:\s*$")
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


class MemberReader(LineFinder):
    def __init__(self, vocab: Vocabulary, annotate: Annotator, lobs: LobNamer, clauses: ClauseParser) -> None:
        super().__init__(annotate, lobs)
        self.vocab = vocab
        self.clauses = clauses

    # -- units ----------------------------------------------------------------------------------------
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


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
