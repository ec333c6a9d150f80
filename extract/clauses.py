"""The language of membership: who a rule covers, and how much of them.

"Most self-funded groups* — Exceptions: A, B and C", "All fully insured groups, all self-funded
groups* and all members with individual coverage", "Fully insured: every member", "Self-insured
(ASO) groups only when the employer has added the program", "Not included", "Most members; not in
Colorado or Ohio", "Individual and group retiree members, except plans whose …".

Pure functions over text plus the vocabulary; no document structure here. The groups an exception
or inclusion names are read by ``groups.py`` (``GroupReader``, the base of ``ClauseParser``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .groups import GroupReader
from .lob import LobNamer
from .model import ExceptionRef, Scope, Segment
from .nlp import Annotator
from .patterns import EFFECTIVE_CUE_RE, EXCEPT_RE, INCLUDES_RE, NONE_RE, ONLY_ELECTED_RE, ONLY_RE, REFERENCE_RE
from .prefilter import prefilter_module, prefiltered
from .text import dates_in, normalize
from .vocabulary import Vocabulary


@dataclass
class Clause:
    """One segment × scope statement inside a membership text."""

    scope: Scope
    segments: list[Segment]
    text: str
    inclusions: list[str] = field(default_factory=list)
    exceptions: list[ExceptionRef] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    effective: Optional[date] = None
    open_exceptions: bool = False  # ends with "Exceptions:" — the list follows in the next items
    explicit_scope: bool = True


class ClauseParser(GroupReader):
    def __init__(self, vocab: Vocabulary, annotate: Annotator, lobs: LobNamer):
        super().__init__(vocab, annotate)
        self.lobs = lobs
        self.scope_words = {w: Scope(s) for s, words in vocab.scope_words.items() for w in words}
        alt = "|".join(sorted(map(re.escape, self.scope_words), key=len, reverse=True))
        self.scope_re = prefiltered(rf"\b({alt})\b", re.IGNORECASE)
        self.clause_split_re = re.compile(rf",?\s*(?:\band\s+|;\s*)?(?=\b(?:{alt})\b)", re.IGNORECASE)

    # -- clauses ---------------------------------------------------------------------------------
    def parse(self, text: str) -> list[Clause]:
        """Clauses of a membership text. An empty list when the text states no scope or segment."""
        text = normalize(text).strip(" .")
        if not text:
            return []
        if NONE_RE.search(text) and not self.scope_re.match(text):
            segs = self.lobs.segments_in(text) or [Segment.ALL]
            return [Clause(Scope.NONE, segs, text)]
        head, tail = self._head_tail(text)
        effective = self._effective(text)
        inclusions: list[str] = []
        inc = INCLUDES_RE.search(head)
        if inc:
            inclusions = [r.name for r in self.groups_in(head[inc.end() :])]
            head = head[: inc.start()].rstrip(" ,")
        pieces = [p.strip(" ,.") for p in self.clause_split_re.split(head) if p and p.strip(" ,.")]
        clauses: list[Clause] = []
        for piece in pieces:
            sm = self.scope_re.search(piece)
            segs = self.lobs.segments_in(piece)
            if not sm and not segs:
                continue
            if (
                sm
                and not segs
                and not re.search(
                    r"\b(?:members?|groups?|plans?|employers?|enrollees|participants|"
                    r"retirees|employees)\b",
                    piece[sm.end() : sm.end() + 40],
                    re.I,
                )
                and len(piece.split()) > 1
            ):
                continue
            scope = self.scope_words[sm.group(1).lower()] if sm else Scope.ALL
            if segs == [Segment.GROUP] and re.search(r"\bgroups?\s+and\s+(?:all\s+)?members\b", piece, re.IGNORECASE):
                segs = [
                    Segment.GROUP,
                    Segment.INDIVIDUAL,
                ]  # "All groups and members": the groups and individual members
            if not sm and re.search(r"\bonly\s*$", piece, re.IGNORECASE) and not ONLY_ELECTED_RE.search(piece):
                # "Contoso Retirees self-funded groups only": only the groups named before the segment
                named = self.groups_in(self.lobs.segment_re.sub(" ", ONLY_RE.sub(" ", piece)))
                if named:
                    clauses.append(
                        Clause(
                            Scope.ONLY,
                            segs or [Segment.GROUP],
                            piece,
                            inclusions=[g.name for g in named],
                            explicit_scope=True,
                        )
                    )
                    continue
            clauses.append(Clause(scope, segs or [Segment.ALL], piece, explicit_scope=bool(sm)))
        if not clauses:
            only = ONLY_RE.search(head)
            groups = self.groups_in(ONLY_RE.sub(" ", head)) if only else []
            if only and groups:
                funding: list[Segment] = [
                    s for s in self.lobs.segments_in(head) if s in (Segment.FULLY_INSURED, Segment.SELF_FUNDED)
                ]
                return [
                    Clause(
                        Scope.ONLY,
                        funding or [Segment.GROUP],
                        head,
                        inclusions=[g.name for g in groups],
                        effective=effective,
                    )
                ]
            return []
        last = clauses[-1]
        last.inclusions.extend(inclusions)
        for c in clauses:
            c.effective = effective
        partial = [c for c in clauses if c.scope in (Scope.MOST, Scope.SELECT, Scope.SOME)]
        target = partial[-1] if partial else last
        if ONLY_ELECTED_RE.search(text):
            for c in clauses:
                if (c.scope in (Scope.ALL,) and not c.explicit_scope) or c.scope is Scope.SELECT:
                    c.scope = Scope.SELECT
        if tail.strip():
            self._apply_tail(target if EXCEPT_RE.search(tail) else last, tail.strip())
        return clauses

    def _head_tail(self, text: str) -> tuple[str, str]:
        """Split "Most groups — Exception: X" into the scope part and what follows it."""
        cut = len(text)
        for rx in (
            re.compile(r"\s+[—–]\s+|\s+-\s+"),
            EXCEPT_RE,
            re.compile(r"(?<=[a-z*)])[.;]\s+(?=[A-Za-z])"),
            re.compile(r",\s+(?=except|excluding|not\s+in\b|other than|including|includes|for dates)", re.I),
        ):
            m = rx.search(text)
            if m and m.start() < cut and m.start() > 0:
                cut = m.start()
        return text[:cut], text[cut:]

    def _effective(self, text: str) -> Optional[date]:
        m = EFFECTIVE_CUE_RE.search(text)
        if not m:
            return None
        found = [d for d in dates_in(text) if d.start >= m.start()]
        return found[0].value if found else None

    def _apply_tail(self, clause: Clause, tail: str) -> None:
        tail = re.sub(r"^[—–\-,.;\s]+", "", tail)
        if EXCEPT_RE.search(tail):
            after = EXCEPT_RE.split(tail, maxsplit=1)[-1]
            if after.strip(" .:"):
                clause.exceptions.extend(self.exception_list(after))
                if clause.scope is Scope.ALL:
                    clause.scope = Scope.MOST
            else:
                clause.open_exceptions = True
            return
        m = re.match(r"^(?:not\s+in|excluding)\s+(.*)$", tail, re.IGNORECASE)
        if m:
            clause.exceptions.extend(self.groups_in(m.group(1)))
            if clause.scope is Scope.ALL:
                clause.scope = Scope.MOST
            return
        inc = INCLUDES_RE.match(" " + tail)
        if inc:
            clause.inclusions.extend(r.name for r in self.groups_in(tail[inc.end() - 1 :]))
            return
        if ONLY_RE.search(tail) and not ONLY_ELECTED_RE.search(tail):
            names = [r.name for r in self.groups_in(ONLY_RE.sub(" ", tail))]
            if names:
                clause.scope = Scope.ONLY
                clause.inclusions.extend(names)
                return
        if EFFECTIVE_CUE_RE.search(tail) or ONLY_ELECTED_RE.search(tail) or REFERENCE_RE.search(tail):
            return
        if not re.search(r"\b(?:check|verify|call|see|visit)\b", tail, re.I):
            clause.conditions.append(tail.strip(" ."))


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
