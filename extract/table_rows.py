"""The rules of one table row: a plain row (its service, reviewer, lines or members, dates, notes
and requirement cells) gives a rule per line it covers; a grid row gives one per marked cell, with
the meaning its legend gives the mark and the footnotes its markers point to. What each cell says
is ``table_cells.py``'s; ``tables.py`` reads the table and hands each row here.
"""

from __future__ import annotations

import re
from typing import Optional

from ingest.model import TableRow as Row

from .claim import Claim
from .drafts import Source, VendorRef
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import ENDED_RE, EXCEPT_RE, NOT_REQUIRED_RE
from .prefilter import prefilter_module
from .table_cells import TableCells, requirement_of
from .table_layout import Grid
from .table_notes import MARK_RE, Footnote, MarkMeaning, TableNotes
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, dates_in, day_after, fold
from .tree import Topic

#: where a members cell's line stops naming its line and starts a clause about them
INCLUDING_RE = re.compile(r"\(?\s*\b(?:including|includes|incl\.)\s+(?P<who>[^()]+?)\s*(?:\)|$)", re.I)
MEMBER_CLAUSE_RE = re.compile(r"\s+(?:who|whose|with|that|living|residing)\s+|\s*\(", re.I)

#: A note about the document's own changes ("… were added in this update"), not a condition of the rule.
#: "Note: …" at the start of a line inside a cell.
NOTE_LINE_RE = re.compile(r"^\s*(?:\*\s*)?notes?\s*:\s*", re.I)
UPDATE_NOTE_RE = re.compile(
    r"\b(?:were|was|are|is|have\s+been|has\s+been)\s+(?:added|removed|updated|revised|changed)\b|"
    r"\bin\s+this\s+update\b|\bnew\s+in\s+this\b",
    re.IGNORECASE,
)


class TableRows(TableCells):
    """Row-reading steps of ``TableReader``."""

    notes: TableNotes

    def _line_head(self, line: str) -> Optional[str]:
        """What of a members cell's line names a line of business first: the whole line when a dash or
        colon follows the line's name ("Northwind commercial — All fully insured groups"), the name
        alone when a clause follows it ("Commercial HMO/POS members who have a Massachusetts PCP")."""
        head = MEMBER_CLAUSE_RE.split(line)[0]
        if head != line and self.res.members.lobish(head, strict=True):
            return head
        return line if self.res.members.lobish(re.split(r"\s+[—–-]\s+|:\s", line)[0], strict=True) else None

    def _plain_row(
        self,
        cells: dict[int, str],
        grid: Grid,
        service: Optional[str],
        vendor: Optional[VendorRef],
        src: Source,
        topic: Topic,
        notes: dict[str, list[Footnote]],
        payer: Optional[str],
        lead: Optional[Claim],
        qualifiers: list[str],
    ) -> None:
        if not service or vendor is None:
            return
        lob_texts = [cells[i] for i, r in grid.roles.items() if r == "lob" and cells.get(i)]
        member_texts = [cells[i] for i, r in grid.roles.items() if r == "members" and cells.get(i)]
        members: list[Member] = []
        for t in lob_texts:
            for line in re.split(r"\n|;\s*", t):
                line = re.sub(r"\s+only\s*$", "", line.strip(), flags=re.I)
                if line:
                    members += self.res.members.unit(line, self.walk.payer, lob_context=True)
        if (
            member_texts
            and not members
            and any(self._line_head(line) is not None for line in member_texts[0].split("\n"))
        ):
            # "For these groups …" cells whose lines name a line first: "Northwind commercial — All fully insured groups"
            lines = member_texts[0].split("\n")
            for n, line in enumerate(lines):
                head = self._line_head(line)
                if head is not None:
                    named = self.res.members.unit(head, self.walk.payer, lob_context=True)
                    if head != line:
                        # "Commercial HMO/POS members who have a Massachusetts PCP (including New England
                        # Health Plan members)": what follows the line's name includes or qualifies them
                        rest = " ".join([line[len(head) :], *lines[n + 1 :]]).strip()
                        included = INCLUDING_RE.search(rest)
                        for m in named:
                            if included:
                                m.inclusions.append(included.group("who").strip())
                            condition = INCLUDING_RE.sub("", rest).strip(" ,;")
                            if condition:
                                m.conditions.append(re.sub(r"^(?:who|whose|with|that)\s+", "members who ", condition))
                    members += named
                elif NOTE_LINE_RE.match(line):
                    # "Note: Zephyr manages these services for members age 19 and older."
                    qualifiers = [*qualifiers, NOTE_LINE_RE.sub("", line).strip()]
            member_texts = []
        if member_texts:
            scoped = self.res.clauses.parse(member_texts[0])
            base = members or [Member(None, Segment.ALL, Scope.ALL)]
            if scoped:
                members = [
                    Member(
                        m.lob,
                        seg if seg is not Segment.ALL else m.segment,
                        c.scope,
                        list(c.exceptions),
                        list(c.inclusions),
                        list(c.conditions),
                        c.effective,
                        m.service_dates,
                    )
                    for m in base
                    for c in scoped
                    for seg in c.segments
                ]
        if not members:
            members = [pm.member for pm in topic.find_members()] or [Member(topic.find_lob(), Segment.ALL, Scope.ALL)]
        effective, ended = None, False
        for i, r in grid.roles.items():
            if r in ("effective", "status") and cells.get(i):
                ds = dates_in(cells[i])
                if ds and ENDED_RE.search(cells[i]):
                    effective, ended = day_after(ds[0].value), True
                elif ds:
                    effective = ds[0].value
        conditions: list[str] = list(qualifiers)
        not_required = False
        for i, r in grid.roles.items():
            if r != "notes" or not cells.get(i):
                continue
            note = cells[i]
            if EXCEPT_RE.match(note):
                refs, none_lobs = self.notes.exclusions(note, [m.lob.stated for m in members if m.lob])
                for ref in refs:
                    words = self.notes.lob_words(ref.name)
                    targets = (
                        [m for m in members if m.lob and words and words <= set(fold(m.lob.name).split())]
                        if words
                        else members
                    )
                    for m in targets or members:
                        m.exceptions.append(ref)
                        if m.scope is Scope.ALL:
                            m.scope = Scope.MOST
                for lob in none_lobs:
                    self.walk.emit(
                        vendor, service, Member(lob, Segment.ALL, Scope.NONE), src, topic, "table-note", payer=payer
                    )
            elif NOT_REQUIRED_RE.search(note) and re.match(r"^\s*ended\b", note, re.I):
                ended, not_required = True, True
                effective = next((d.value for d in dates_in(note)), effective)
            elif not UPDATE_NOTE_RE.search(note):
                conditions.append(note)
        requirement = Requirement.NOT_REQUIRED if not_required else None
        for i, r in grid.roles.items():
            if r == "requirement" and cells.get(i):
                # "Notification within 72 hours of admission.", "Precertification is required."
                own, others = self._other_lines(cells[i], members)
                requirement, cell_conditions = requirement_of(own)
                conditions += [c for c in cell_conditions if c not in conditions]
                for lob, sentence in others:
                    # "No review is necessary for Medicare PPO Blue." in the Medicare HMO Blue row
                    said, said_conditions = requirement_of(sentence)
                    self.walk.emit(
                        vendor,
                        service,
                        Member(lob, Segment.ALL, Scope.ALL),
                        src,
                        topic,
                        "table-row",
                        effective,
                        said,
                        conditions=said_conditions,
                        payer=payer,
                    )
        for m in members:
            if ended:
                m = Member(m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective)
            self.walk.emit(
                vendor, service, m, src, topic, "table-row", effective, requirement, conditions=conditions, payer=payer
            )

    def _grid_row(
        self,
        row: Row,
        cells: dict[int, str],
        grid: Grid,
        service: Optional[str],
        vendor: Optional[VendorRef],
        src: Source,
        topic: Topic,
        legend: dict[str, MarkMeaning],
        notes: dict[str, list[Footnote]],
        payer: Optional[str],
        qualifiers: list[str],
    ) -> None:
        if service is None:
            return
        for i, header in grid.lob_cols.items():
            cell = cells.get(i, "")
            if not cell:
                continue
            m = MARK_RE.match(cell)
            if m:
                meaning = self.notes.mark_meaning(m.group("mark"), legend)
                v = VendorRef(self.walk.payer, m.group("mark"), False, True) if meaning.in_house else vendor
                if v is None and meaning.requirement is Requirement.NOT_REQUIRED:
                    v = self.walk.own_reviewer()  # a grid whose cells name the reviewers: "Not required"
                markers = [c for c in m.group("notes") if c in SUPERSCRIPTS + FOOTNOTE_SYMBOLS]
            else:
                # a grid whose cells name who reviews the row's service for the column's line
                v = self.res.vendors.label(
                    re.sub(rf"[{re.escape(SUPERSCRIPTS + FOOTNOTE_SYMBOLS)}]+$", "", cell.split("\n")[0]),
                    self.walk.payer,
                )
                meaning, markers = MarkMeaning(Scope.ALL), [c for c in cell if c in SUPERSCRIPTS + FOOTNOTE_SYMBOLS]
            if v is None:
                continue
            lob = self.res.lobs.name(header, self.walk.payer)
            segs = list(lob.segments) if lob else []
            seg_list: list[Segment] = [s for s in segs if s is not Segment.GROUP] or (
                [Segment.GROUP] if segs else [Segment.ALL]
            )
            if lob is not None and lob.default and lob.name == "Commercial" and Segment.INDIVIDUAL in segs:
                seg_list = [Segment.INDIVIDUAL]
            for seg in seg_list:
                mem = Member(lob, seg, meaning.scope)
                draft = self.walk.emit(
                    v,
                    service,
                    mem,
                    src,
                    topic,
                    "grid-cell",
                    requirement=meaning.requirement,
                    payer=payer,
                    conditions=qualifiers,
                )
                if draft is not None:
                    for mk in markers:
                        for fn in notes.get(mk, []):
                            self.notes.apply_footnote(draft, fn)


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
