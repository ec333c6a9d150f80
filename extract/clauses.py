"""The language of membership: who a rule covers, and how much of them.

"Most self-funded groups* — Exceptions: A, B and C", "All fully insured groups, all self-funded
groups* and all members with individual coverage", "Fully insured: every member", "Self-insured
(ASO) groups only when the employer has added the program", "Not included", "Most members; not in
Colorado or Ohio", "Individual and group retiree members, except plans whose …".

Pure functions over text plus the vocabulary; no document structure here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .lob import LobNamer
from .model import ExceptionRef, Scope, Segment
from .nlp import Annotator
from .patterns import (
    ADMINISTERED_PLANS_RE,
    ALT_VENDOR_RE,
    EFFECTIVE_CUE_RE,
    EXCEPT_RE,
    INCLUDES_RE,
    NONE_RE,
    ONLY_ELECTED_RE,
    ONLY_RE,
    REFERENCE_RE,
)
from .text import dates_in, normalize
from .vocabulary import Vocabulary

GROUP_NUMBER_RE = re.compile(
    r"\(\s*(?:group|grp\.?)\s*(?:no\.?|number|#)?\s*(\d{3,})\s*\)|\bgroup\s+#?(\d{4,})\b", re.IGNORECASE
)
LIST_SPLIT_RE = re.compile(r"\s*;\s*|,\s*(?:and\s+|or\s+)?|\s+and\s+(?![^()]*\))|\s+or\s+(?![^()]*\))")
#: "… members who have coverage through |the X Trust|", "… members of |X|", "… employees of |X|".
COVERAGE_THROUGH_RE = re.compile(
    r"\b(?:coverage|benefits|insurance)\s+(?:through|from|with)\s+(.+)$|"
    r"\b(?:members|employees|retirees)\s+(?:of|in|from)\s+(?=[A-Z])(.+)$"
)
#: "Members who live in |Adams, Brown or Warren| |County|": places whose residents are left out
PLACE_LIST_RE = re.compile(
    r"^(?:(?:members|people|enrollees|those)\s+(?:who\s+(?:live|reside)\s+in|living\s+in|"
    r"residing\s+in|in)|residents\s+of)?\s*((?-i:[A-Z])[\w.-]*(?:(?:,\s*|\s+|\s*,?\s*(?:and|or)\s+)"
    r"(?-i:[A-Z])[\w.-]*)*)\s+(count(?:y|ies)|parish(?:es)?)$",
    re.IGNORECASE,
)
#: "… plans |sponsored by a former employer| (group retiree members)": how they came to be covered
PARTICIPLE_RE = re.compile(
    r"\s+(?:sponsored|offered|issued|administered|purchased|bought|provided)\s+(?:by|through)\s+[^()]*", re.IGNORECASE
)
ISSUER_RE = re.compile(
    r"^(?:members|those|people)\s+whose\s+(?:plan|coverage|policy|benefits?)\s+(?:is|are)\s+"
    r"(?:issued|offered|administered|provided|sold|underwritten)\s+by\s+(.+)$",
    re.IGNORECASE,
)
#: A population named by what its people are, not by a proper name: kept whole.
POPULATION_HEAD_RE = re.compile(
    r"^(?:children|members|employees|retirees|people|individuals|infants|adults|"
    r"those|residents|patients|enrollees|newborns|women|men)\b",
    re.IGNORECASE,
)
#: Words around a group name that are not part of it ("select Acme Health groups", "the State of X plan").
GROUP_NOISE_RE = re.compile(
    r"^(?:select|certain|some|the|for|all|most|members of|members in|those with|those in|"
    r"those|members(?=\s+(?!whose|who|that|which|with)\S)|plans? of|benefit plans of)\s+|\s+(?:groups?|members?|only|plans?)$",
    re.IGNORECASE,
)
STOPWORDS = {
    "for",
    "the",
    "and",
    "or",
    "of",
    "some",
    "members",
    "non-medicare",
    "with",
    "who",
    "have",
    "through",
    "coverage",
    "a",
    "an",
    "to",
    "in",
    "on",
    "is",
    "are",
    "by",
    "see",
    "row",
    "next",
}
SCOPE_ORDER = {"all": Scope.ALL, "every": Scope.ALL, "each": Scope.ALL}


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


class ClauseParser:
    def __init__(self, vocab: Vocabulary, annotate: Annotator, lobs: LobNamer):
        self.vocab = vocab
        self.annotate = annotate
        self.lobs = lobs
        self.scope_words = {w: Scope(s) for s, words in vocab.scope_words.items() for w in words}
        alt = "|".join(sorted(map(re.escape, self.scope_words), key=len, reverse=True))
        self.scope_re = re.compile(rf"\b({alt})\b", re.IGNORECASE)
        self.clause_split_re = re.compile(rf",?\s*(?:\band\s+|;\s*)?(?=\b(?:{alt})\b)", re.IGNORECASE)
        self.states = {s.name.lower(): s.name for s in vocab.states}

    # -- groups ---------------------------------------------------------------------------------
    def groups_in(self, text: str, with_vendor: bool = False) -> list[ExceptionRef]:
        """Employer groups/populations named in ``text`` (known ones canonical, unknown as stated)."""
        text = normalize(text)
        refs: list[ExceptionRef] = []
        ann = self.annotate(text)
        masked = list(text)
        relative = bool(re.search(r"\b(?:whose|who|that|which)\b", text))
        for m in ann.of("GROUP"):
            refs.append(ExceptionRef(m.canonical))
            masked[m.start : m.end] = " " * (m.end - m.start)
        for num in GROUP_NUMBER_RE.finditer(text):
            number = num.group(1) or num.group(2)
            name = self.vocab.group_by_number(number)
            if name:
                masked[num.start() : num.end()] = " " * (num.end() - num.start())
                refs = [r for r in refs if r.name != name] + [ExceptionRef(name, number)]
        rest = "".join(masked)
        if ALT_VENDOR_RE.search(rest) and not _only_administered(rest):
            # "Requests are managed by Acme Rx for some members who have coverage through the X Trust":
            # the group is what follows "coverage through"; the words around it are the frame
            through = COVERAGE_THROUGH_RE.search(rest)
            rest = ALT_VENDOR_RE.split((through.group(1) or through.group(2)) if through else rest)[0]
            relative = False
        rest = re.sub(r"\((?:see|next|for example|e\.g\.)[^)]*\)", " ", rest, flags=re.IGNORECASE)
        for frag in [rest] if relative else LIST_SPLIT_RE.split(rest):
            frag = frag.strip(" .:;,")
            prev = None
            while prev != frag:
                prev, frag = frag, GROUP_NOISE_RE.sub("", frag).strip(" .:;,")
            if frag.count("(") != frag.count(")"):
                frag = frag.strip("()")
            words = frag.split()
            if not words or len(frag) < 3 or all(w.lower() in STOPWORDS for w in words):
                continue
            if (
                not words[0][:1].isupper()
                and not re.search(r"\b(?:whose|who|that|which)\b", frag)
                and not ADMINISTERED_PLANS_RE.match(frag)
            ):
                continue
            if re.match(r"(?:whose|who|that|which)\b", frag, re.IGNORECASE) and ALT_VENDOR_RE.search(text):
                continue  # ", whose requests are handled by …": the frame, not a group
            number = GROUP_NUMBER_RE.search(frag)
            frag = self.states.get(frag.lower(), frag)
            refs.append(ExceptionRef(frag, (number.group(1) or number.group(2)) if number else None))
        seen, out = set(), []
        for r in refs:
            if r.name not in seen:
                seen.add(r.name)
                out.append(r)
        if with_vendor:
            alt = self.alternate_vendor(text)
            out = [ExceptionRef(r.name, r.group_number, alt, text) for r in out]
        return out

    def population(self, text: str) -> list[ExceptionRef]:
        """The people a sentence leaves out: "Members who live in Adams, Brown or Warren County" (each
        county), "Children in foster care or receiving adoption assistance" (one population), "members
        of Traditional Choice plans and members of the Foreign Service Benefit Plan" (each plan)."""
        text = normalize(text).strip(" .;:,")
        place = PLACE_LIST_RE.match(text)
        if place:
            unit = "County" if place.group(2).lower().startswith("count") else "Parish"
            names = [n.strip() for n in LIST_SPLIT_RE.split(place.group(1)) if n.strip()]
            return [ExceptionRef(f"{n} {unit}") for n in names]
        issuer = ISSUER_RE.match(text)
        if issuer:
            return [ExceptionRef(f"{issuer.group(1)} members")]  # "members whose plan is issued by X"
        text = PARTICIPLE_RE.sub(" ", text).strip()
        if POPULATION_HEAD_RE.match(text) and not re.match(
            r"\w+\s+(?:of|in|with|on|under|enrolled\s+in|covered\s+by)\s+"
            r"(?:the\s+)?(?-i:[A-Z])",
            text,
        ):
            return [ExceptionRef(re.sub(r"\s+", " ", text))]
        return self.groups_in(text)

    def alternate_vendor(self, text: str) -> Optional[str]:
        m = ALT_VENDOR_RE.search(text)
        if not m:
            return None
        after = [v for v in self.annotate(text).of("VENDOR", "DEPT") if v.start >= m.end()]
        if after:
            return after[0].canonical
        name = re.match(r"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)", text[m.end() :])
        return name.group(1).rstrip(".") if name else None

    def exception_list(self, text: str) -> list[ExceptionRef]:
        """Groups of an "Exception(s): …" text, each with its alternate vendor when named."""
        text = EXCEPT_RE.sub("", normalize(text), count=1)
        parts = [p for p in re.split(r"(?<=\.)\s+(?=[A-Z])", text) if p.strip()]
        refs: list[ExceptionRef] = []
        for p in parts:
            alt = ALT_VENDOR_RE.search(p) is not None and not _only_administered(p)
            if not alt and (
                POPULATION_HEAD_RE.match(p.strip())
                or (PLACE_LIST_RE.match(p.strip(" .")) and re.search(r"\bcount(?:y|ies)\b|\bparish", p, re.IGNORECASE))
            ):
                refs.extend(self.population(p))
            else:
                refs.extend(self.groups_in(p, with_vendor=alt))
        return refs

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


def _only_administered(text: str) -> bool:
    """Every "… by" in ``text`` names who runs a population's plans ("plans administered by X"), none
    an alternate reviewer ("X, whose requests are managed by Y")."""
    return all(
        any(p.end() == m.end() for p in ADMINISTERED_PLANS_RE.finditer(text)) for m in ALT_VENDOR_RE.finditer(text)
    )
