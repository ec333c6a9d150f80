"""The slots of one sentence that prose frames read alike: its dates (effective, ended), its
members (the lines it names with their segments, scope and inline exceptions), the people it
leaves out, and the requirement its words state. ``ProseReader`` (``prose.py``) uses these
while it reads the sentence's frame.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Optional

from .claim import Claim
from .clauses import Clause
from .groups import PLACE_LIST_RE, POPULATION_HEAD_RE
from .lob import Lob
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import (
    AUTH_WORD_RE,
    CARE_MANAGEMENT_RE,
    EFFECTIVE_CUE_RE,
    EXCLUDES_START_RE,
    NONE_RE,
    NOT_EFFECTIVE_RE,
    ONLY_ELECTED_RE,
)
from .prefilter import prefilter_module
from .resources import Resources
from .text import dates_in, fold

#: "… commercial members, except …": members with exceptions named inline
INLINE_EXCEPT_RE = re.compile(r",?\s*\b(?:except(?:\s+for)?|excluding|but\s+not)\s+", re.I)
#: what may stand between a line of business and its "except"
MEMBER_GAP_RE = re.compile(
    r"\s*(?:members?|plans?|groups?|accounts?|enrollees|employers?|customers|business)?\s*,?\s*", re.I
)


#: A sentence whose verb is the start of something: its "on <date>" is when that starts.
START_VERB_RE = re.compile(r"\b(?:begin|begins|began|start|starts|started|take\s+over|takes\s+over)\b", re.I)
#: The requirement a sentence's own word names (unless it also says "authorization").
PRECERTIFICATION_RE = re.compile(r"\bpre-?certification\b", re.I)
NOTIFICATION_RE = re.compile(r"\bnotification\b|\bnotify\b", re.I)
AUTHORIZATION_RE = re.compile(r"\bauthori[sz]ation\b", re.I)


class SentenceSlots:
    """Slot-reading steps of ``ProseReader``."""

    res: Resources

    # -- slots ---------------------------------------------------------------------------------------
    def _dates(self, s: str) -> tuple[Optional[date], Optional[date]]:
        effective = ended = None
        for d in dates_in(s):
            before = s[max(0, d.start - 45) : d.start]
            clause = re.split(r"[.;:]|,\s+(?=[a-z]+\s+[a-z]+)", before)[-1]
            if (
                re.search(r"\b(?:ending|ended|ends|end|through|until|on)\s*$", before.strip(), re.I)
                and re.search(r"\b(?:ending|ended|end|ends|through|until)\b", s, re.I)
                and not EFFECTIVE_CUE_RE.search(clause[-25:])
            ):
                ended = ended or d.value
                continue
            if NOT_EFFECTIVE_RE.search(clause) and not re.search(r"dates?\s+of\s+service", clause, re.I):
                continue
            if EFFECTIVE_CUE_RE.search(clause) or re.search(r"dates?\s+of\s+service", clause, re.I):
                effective = effective or d.value
            elif re.search(r"\bon\s*$", before, re.I) and START_VERB_RE.search(s[: d.start]):
                # "Acme will also begin reviewing home sleep tests for … members on January 1": the
                # sentence's verb says when the rule starts
                effective = effective or d.value
        return effective, ended

    def _members(self, s: str, lobs: list[tuple[Lob, int, int]]) -> list[Member]:
        out: list[Member] = []
        named = [(lob, a, b) for lob, a, b in lobs if not lob.default]
        for lob, _, _ in lobs:
            if lob.default and named:
                # "Northwind commercial members with fully insured coverage": a segment of the line named
                # before; "… and to members with individual coverage": another segment of that line
                open_ = [m for m in out if m.segment is Segment.ALL]
                for seg in lob.segments[:1]:
                    if open_:
                        open_[0].segment = seg
                    elif (
                        out
                        and out[-1].lob is not None
                        and lob.name == "Commercial"
                        and fold(out[-1].lob.name).split()[-1:] == ["commercial"]
                        and all(m.segment is not seg for m in out)
                    ):
                        out.append(Member(out[-1].lob, seg, Scope.ALL, explicit_scope=False))
                continue
            segs = list(lob.segments) or [Segment.ALL]
            for seg in segs:
                out.append(Member(None if lob.default else lob, seg, Scope.ALL, explicit_scope=False))
        covered = [(a, b) for _, a, b in lobs]
        outside = s
        for a, b in covered:
            outside = outside[:a] + " " * (b - a) + outside[b:]
        have = {m.segment for m in out}
        for seg in self.res.lobs.segments_in(outside):
            if seg in have or (seg is Segment.GROUP and have & {Segment.FULLY_INSURED, Segment.SELF_FUNDED}):
                continue
            lone = [m for m in out if m.lob is not None and m.segment is Segment.ALL]
            if len(lone) == 1 and len(out) == 1 and seg is not Segment.GROUP:
                lone[0].segment = seg  # "commercial members in fully insured accounts": one line, its segment
            else:
                out.append(Member(None, seg, Scope.ALL, explicit_scope=False))
            have = {m.segment for m in out}
        if ONLY_ELECTED_RE.search(s):
            for m in out:
                if m.scope is Scope.ALL:
                    m.scope = Scope.SELECT
        colon = s.rfind(":")
        if 0 < colon < len(s) - 2:
            # "… for the following self-funded group members*: Acme Retiree Trust members only"
            tail = self.res.clauses.parse(s[colon + 1 :])
            if not tail and re.search(r"\bfollowing\b", s[:colon], re.I):
                # "… for the following self-funded group members*: Acme Retiree Trust": only those named
                rest = s[colon + 1 :]
                # "Contoso Retiree Trust non-Medicare": a qualifier of the group, not a line of business
                lobs_in = [
                    x for x in self.res.members.in_sentence(rest) if not re.search(r"\bnon-?\s*$", rest[: x[1]], re.I)
                ]
                groups = self.res.clauses.groups_in(rest)
                if groups and not lobs_in:
                    tail = [Clause(Scope.ONLY, [Segment.GROUP], rest, inclusions=[g.name for g in groups])]
            if tail and tail[0].scope is Scope.ONLY and tail[0].inclusions:
                segs = [x for x in self.res.lobs.segments_in(s[:colon]) if x is not Segment.GROUP] or [Segment.GROUP]
                lobs_before = [m.lob for m in out if m.lob is not None]
                lines: list[Optional[Lob]] = list(lobs_before) or [None]
                out = [
                    Member(lob, seg, Scope.ONLY, inclusions=list(tail[0].inclusions)) for lob in lines for seg in segs
                ]
        for m in out:
            sc = re.search(
                r"\b(all|every|most|some|select|certain)\s+(?:of\s+(?:our|the)\s+)?[\w() ,/-]{0,60}$",
                s[: s.find(m.lob.stated) if m.lob and m.lob.stated in s else 0],
                re.I,
            )
            if sc and sc.group(1).lower() in ("most", "some", "select", "certain"):
                m.scope = {"most": Scope.MOST, "some": Scope.SOME}.get(sc.group(1).lower(), Scope.SELECT)
        return self._inline_exceptions(s, lobs, out)

    def _inline_exceptions(self, s: str, lobs: list[tuple[Lob, int, int]], out: list[Member]) -> list[Member]:
        """ "Commercial members, except Line B and plans administered by X": the line before "except" is
        most of its members, with the named exceptions; a line named after it is one of them."""
        for m in INLINE_EXCEPT_RE.finditer(s):
            before = [(lob, b) for lob, _, b in lobs if b <= m.start()]
            if not before or not MEMBER_GAP_RE.fullmatch(s[before[-1][1] : m.start()]):
                continue  # "… for all services except X": an exception of the service, not of members
            stop = re.search(r"[;)]|\.(?:\s|$)", s[m.end() :])
            refs = self.res.clauses.exception_list(s[m.end() : m.end() + stop.start() if stop else len(s)])
            if not refs:
                continue
            inside = {id(lob) for lob, a, _ in lobs if a >= m.end()}
            out = [x for x in out if x.lob is None or id(x.lob) not in inside]
            for x in out:
                x.exceptions.extend(r for r in refs if r not in x.exceptions)
                if x.scope is Scope.ALL:
                    x.scope = Scope.MOST
        return out

    def _excluded(self, s: str) -> list:
        """People a sentence leaves out of the program: "Excludes members of X and Y",
        "Members who live in A or B County are excluded from …", "Children in foster care … are not
        part of the program"."""
        m = EXCLUDES_START_RE.match(s)
        if m:
            rest = s[m.end() :]
            return [] if self.res.members.lobish(rest[:60], strict=True) else self.res.clauses.population(rest)
        m = NONE_RE.search(s)
        if not m:
            return []
        subject = re.sub(r"\s+(?:are|is|were|will\s+be|remain|stay)\s*$", "", s[: m.start()], flags=re.I).strip(" ,")
        if (
            not subject
            or self.res.members.lobish(subject, strict=True)
            or not (POPULATION_HEAD_RE.match(subject) or PLACE_LIST_RE.match(subject))
        ):
            return []
        return self.res.clauses.population(subject)

    def _requirement(self, s: str, claim: Claim) -> Optional[Requirement]:
        if claim.not_required and not claim.vendor:
            return Requirement.NOT_REQUIRED
        if PRECERTIFICATION_RE.search(s) and not AUTHORIZATION_RE.search(s):
            return Requirement.PRECERTIFICATION
        if NOTIFICATION_RE.search(s) and not AUTHORIZATION_RE.search(s):
            return Requirement.NOTIFICATION
        if CARE_MANAGEMENT_RE.search(s) and not AUTH_WORD_RE.search(re.sub(r"care\s+management", "", s, flags=re.I)):
            return Requirement.CARE_MANAGEMENT
        if any(CARE_MANAGEMENT_RE.search(x) for x in claim.services):
            return Requirement.CARE_MANAGEMENT
        return None


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
