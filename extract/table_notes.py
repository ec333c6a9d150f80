"""What stands around a table and gives its cells meaning: the legend ("✔ = prior authorization
is required", "— = not part of the program"), footnotes keyed by markers (¹ * † ‡ §) that add
exceptions, dates, conditions or a narrower scope, and "Not included: …" notes that leave groups or
whole lines of business out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from ingest import Block, BlockKind

from .drafts import Draft
from .lob import Lob
from .model import ExceptionRef, Requirement, Scope
from .patterns import EFFECTIVE_CUE_RE, EXCEPT_RE, EXCLUDES_START_RE, NONE_RE, NOT_REQUIRED_RE, ONLY_ELECTED_RE
from .prefilter import prefilter_module
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, dates_in, fold, normalize

if TYPE_CHECKING:
    from .walk import DocumentWalk

MARK_RE = re.compile(
    r"^\s*(?P<mark>[✓✔✅☑✗✘xX•●○◯OoPpYyNn]|yes|no|required|not\s+required|n/?a|—|–|-|none|optional)\s*"
    rf"(?P<notes>[{re.escape(SUPERSCRIPTS + FOOTNOTE_SYMBOLS)}\s,]*)$",
    re.I,
)
LEGEND_LINE_RE = re.compile(
    r"(?:^|(?<=\.\s))[\"“]?(?P<sym>[✓✔✅☑✗✘•●○◯]|[A-Z]{1,3}|Yes|No|N/A|—|–|-)[\"”]?\s*(?:=|:|–|-)?\s+"
    r"(?P<meaning>[A-Z][^.]*\.?)"
)
FOOTNOTE_START_RE = re.compile(
    rf"(?:^|(?<=[.;]\s))(?P<m>[{re.escape(SUPERSCRIPTS)}]|[{re.escape(FOOTNOTE_SYMBOLS)}])\s*"
    rf"(?=[A-Z])"
)


@dataclass
class Footnote:
    marker: str
    text: str
    block: Block
    start: int
    end: int


@dataclass
class MarkMeaning:
    scope: Scope = Scope.ALL
    in_house: bool = False
    requirement: Optional[Requirement] = None


class TableNotes:
    def __init__(self, walk: DocumentWalk) -> None:
        self.walk = walk
        self.res = walk.res

    def lob_words(self, text: str) -> set[str]:
        """Line-of-business words a group name carries ("commercial PPO plans that use …")."""
        ann = self.res.annotate(text)
        words = {fold(m.text) for m in ann.of("LOB", "PLANTYPE") if m.label == "PLANTYPE" or m.generic}
        return {w for x in words for w in x.split()}

    def families(self, text: str) -> set[str]:
        """Medicare, Medicaid or commercial: which family of lines a phrase names."""
        out = set()
        for m in self.res.annotate(text).of("LOB"):
            name = m.canonical.lower()
            out.add(
                "medicaid"
                if re.search(r"medicaid|chip|medical assistance", name)
                else "medicare"
                if re.search(r"medicare|snp|medigap|part d", name)
                else "commercial"
            )
        return out

    def exclusions(self, note: str, row_lobs: Optional[list[str]] = None) -> tuple[list[ExceptionRef], list[Lob]]:
        """ "Not included: A (…); B; C": groups and lines left out. A line of another family than
        the row's ("Senior Products (… Medicare …)" beside commercial lines) is a line left out;
        anything else is an excepted group."""
        row_families = set()
        for lob in row_lobs or []:
            row_families |= self.families(lob) or {"commercial"}
        body = EXCEPT_RE.sub("", note, count=1)
        refs, lobs = [], []
        masked = re.sub(r"\([^()]*\)", lambda m: "\x00" * len(m.group(0)), body)
        cuts = (
            [0]
            + [
                x
                for m in re.finditer(r"\s*;\s*|\s+and\s+(?=[a-z]*\s*[A-Z]|commercial|medicare)", masked)
                for x in (m.start(), m.end())
            ]
            + [len(body)]
        )
        for k in range(0, len(cuts), 2):
            part = body[cuts[k] : cuts[k + 1]].strip(" .")
            if not part:
                continue
            fam = self.families(part)
            if (
                re.search(r"\b(?:that|who|whose|which|use|uses)\b|\bgroup\s+#?\d{3,}|\b(?:Company|Inc|LLC)\b", part)
                or not fam
                or fam <= row_families
            ):
                refs += self.res.clauses.groups_in(part) or []
            else:
                line = self.res.lobs.name(part, self.walk.payer)
                outer = re.sub(r"\([^)]*\)", "", part)
                if line and re.match(r"[A-Z]", part) and not self.res.annotate(outer).of("PAYER", "GROUP"):
                    lobs.append(line)
                else:
                    refs += self.res.clauses.groups_in(part)
        return refs, lobs

    def mark_meaning(self, mark: str, legend: dict[str, MarkMeaning]) -> MarkMeaning:
        key = mark.strip().lower()
        if key in legend:
            return legend[key]
        if key in ("—", "–", "-", "n/a", "na", "no", "n", "none", "✗", "✘"):
            return MarkMeaning(Scope.NONE)
        if key in ("optional", "o"):
            return MarkMeaning(Scope.SELECT)
        if key == "not required":
            return MarkMeaning(Scope.ALL, requirement=Requirement.NOT_REQUIRED)
        return MarkMeaning(Scope.ALL)

    def legend(self, siblings: list[Block]) -> dict[str, MarkMeaning]:
        out: dict[str, MarkMeaning] = {}
        for b in siblings:
            if b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.CAPTION):
                continue
            for m in LEGEND_LINE_RE.finditer(normalize(b.text)):
                sym, meaning = m.group("sym").strip().lower(), m.group("meaning")
                if len(sym) > 3 and sym not in ("yes", "n/a"):
                    continue
                mm = MarkMeaning()
                if NONE_RE.search(meaning) or re.search(r"\bno\s+review\b|\bnot\s+part\b", meaning, re.I):
                    mm.scope = Scope.NONE
                elif ONLY_ELECTED_RE.search(meaning) or re.search(r"\boptional\b", meaning, re.I):
                    mm.scope = Scope.SELECT
                if re.search(r"\b(?:itself|in-house|do\s+not\s+send\s+it\s+to\s+the\s+company)\b", meaning, re.I) or (
                    self.res.annotate(meaning).of("PAYER")
                    and re.search(r"\breviews?\b", meaning, re.I)
                    and not self.res.annotate(meaning).of("VENDOR")
                ):
                    mm.in_house = True
                if NOT_REQUIRED_RE.search(meaning) and mm.scope is not Scope.NONE:
                    mm.requirement = Requirement.NOT_REQUIRED
                out[sym] = mm
                self.walk.explained.add(b.index)  # a legend line: read whole as the marks' meanings
        return out

    def footnotes(self, siblings: list[Block], table: Block) -> dict[str, list[Footnote]]:
        """Notes keyed by their marker; the blocks that are only notes are the table's, not prose."""
        out: dict[str, list[Footnote]] = {}
        for b in siblings:
            if b is table or b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.CAPTION):
                continue
            text = b.text
            if b.kind is BlockKind.LIST_ITEM and b.marker and b.marker in FOOTNOTE_SYMBOLS + SUPERSCRIPTS:
                out.setdefault(b.marker, []).append(Footnote(b.marker, text, b, 0, len(text)))
                self.walk.consumed.add(b.index)
                continue
            starts = list(FOOTNOTE_START_RE.finditer(text))
            if starts and starts[0].start() == 0:
                self.walk.consumed.add(b.index)
            for k, m in enumerate(starts):
                end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
                out.setdefault(m.group("m"), []).append(
                    Footnote(m.group("m"), text[m.end() : end].strip(), b, m.start(), end)
                )
        return out

    def apply_footnote(self, draft: Draft, fn: Footnote) -> None:
        text = normalize(fn.text)
        if EXCLUDES_START_RE.match(text):
            refs = self.res.clauses.population(EXCLUDES_START_RE.sub("", text).split(". ")[0])
            draft.exceptions.extend(r for r in refs if r not in draft.exceptions)
            if refs and draft.scope is Scope.ALL:
                draft.scope = Scope.MOST
            return
        cut = EXCEPT_RE.search(text)
        if cut:
            body = re.split(r"(?<=[.])\s+(?=[A-Z])", text[cut.end() :])[0]
            if not re.match(r"(?:members|those|people)\s+whose\b", body, re.I):
                body = re.sub(r"\s+(?:left|joined|is|are|was|were)\b.*$", "", body)
            refs = self.res.clauses.exception_list(body)
            draft.exceptions.extend(r for r in refs if r not in draft.exceptions)
            if refs and draft.scope is Scope.ALL:
                draft.scope = Scope.MOST
        if ONLY_ELECTED_RE.search(text) and draft.scope in (Scope.ALL, Scope.MOST):
            draft.scope = Scope.SELECT
        states = [m.canonical for m in self.res.annotate(text).of("STATE")]
        if states and re.search(r"\bother\s+states\b|\bonly\b", text, re.I) and draft.scope is not Scope.NONE:
            draft.scope = Scope.ONLY
            draft.inclusions.extend(s for s in states if s not in draft.inclusions)
            draft.conditions.append(text)
            return
        dates = list(dates_in(text))
        if dates and EFFECTIVE_CUE_RE.search(text) and len(dates) == 1:
            draft.effective = dates[0].value
            return
        if not EXCEPT_RE.search(text) and not ONLY_ELECTED_RE.search(text):
            draft.conditions.append(text)


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
