"""Tables: each column's role from its header, each row a rule (or one per marked cell).

Columns are recognised by their headers, not by position: the service or program, who reviews
("Reviewed by", "Vendor"), the lines of business ("Lines of business", "Plans"), who is included
("Members included"), dates ("Effective", "Status"), notes, and the health plan on a vendor's
client list. A grid has one column per line of business ("Group fully insured", "Medicare
Advantage") whose cells are marks; a legend ("✔ Prior authorization is required …", "Yes = …",
"— = not part of the program") gives each mark its meaning, and footnote markers (¹ * † ‡ §)
point to notes that add exceptions, dates, conditions or a narrower scope. A contact table
("How to reach", "Phone") states no rule.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ingest import Block
from ingest.model import TableRow as Row

from .drafts import Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import ENDED_RE, EXCEPT_RE, NOT_REQUIRED_RE
from .prose import Claim
from .requirements import CONDITION_RE
from .services import split_qualifier
from .table_layout import Grid, TableLayout
from .table_notes import MARK_RE, Footnote, MarkMeaning, TableNotes
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, dates_in, day_after, fold, normalize, sentences
from .tree import Topic

if TYPE_CHECKING:
    from .walk import DocumentWalk

#: A note about the document's own changes ("… were added in this update"), not a condition of the rule.
#: "Note: …" at the start of a line inside a cell.
NOTE_LINE_RE = re.compile(r"^\s*(?:\*\s*)?notes?\s*:\s*", re.I)
UPDATE_NOTE_RE = re.compile(
    r"\b(?:were|was|are|is|have\s+been|has\s+been)\s+(?:added|removed|updated|revised|changed)\b|"
    r"\bin\s+this\s+update\b|\bnew\s+in\s+this\b",
    re.IGNORECASE,
)
#: "… is necessary for |Contoso PPO Choice| (members)." — the line a sentence in a cell ends on
FOR_LINE_RE = re.compile(r"\bfor\s+(?P<name>[^.;,:()]{3,60}?)(?:\s+(?:members|plans?))?\s*\.?\s*$", re.I)
#: Columns whose merged cells a PDF leaves empty below their first row.
FILL_DOWN_ROLES = {"vendor", "payer", "service", "service_vendor", "category", "area", "effective"}


class TableReader:
    def __init__(self, walk: DocumentWalk) -> None:
        self.walk = walk
        self.res = walk.res
        self.notes = TableNotes(walk)
        self.layout = TableLayout(walk)

    # -- the table -----------------------------------------------------------------------------------
    def read(self, b: Block, topic: Topic, siblings: list[Block], lead: Optional[Claim]) -> None:
        rows = [r for r in b.rows if any(c.strip() for c in r.cells)]
        if len(rows) < 2:
            return
        grid = self.layout.read(rows)
        if not grid.roles and not grid.lob_cols:
            return
        if "contact" in grid.roles.values() and not grid.lob_cols and "lob" not in grid.roles.values():
            return
        near = self._near(b)
        legend = self.notes.legend(near)
        notes = self.notes.footnotes(near, b)
        width = max(len(r.cells) for r in rows)
        offsets = self._row_offsets(b)
        if not ({"service", "service_vendor", "lob", "members"} & set(grid.roles.values())) and not grid.lob_cols:
            return  # a table of steps, fields or contacts: no service and no members to read
        carried: dict[int, str] = {}
        for ri, row in enumerate(rows):
            if ri < grid.header_rows or row.header or len(row.cells) < max(2, width - 1):
                continue
            start, end = offsets.get(id(row), (0, len(b.text)))
            src = Source(b, row.page, start, end)
            cells = {
                i: "\n".join(normalize(line) for line in c.split("\n") if line.strip()) for i, c in enumerate(row.cells)
            }
            raw = {i: c.strip() for i, c in enumerate(row.cells)}
            for i, role in grid.roles.items():
                # a merged cell (no rowspan in a PDF) leaves the rows below it empty: they share its value
                if role in FILL_DOWN_ROLES:
                    if cells.get(i):
                        carried[i] = cells[i]
                    elif i in carried and b.rows and b.rows[0].page and self.walk.doc.media_type.value == "pdf":
                        cells[i] = carried[i]
            service = self._service(cells, grid)
            vendor = self._vendor(cells, grid, topic, lead)
            if {"requirement", "lob"} <= set(grid.roles.values()) and not {"vendor", "service_vendor"} & set(
                grid.roles.values()
            ):
                # "Plan type | Admission type | Requirement": the payer's own requirements, plan by plan
                vendor = topic.section_vendor() or self.walk.own_reviewer()
                base = service or next(iter(self.walk.section_services(topic)), None)
                service = qualified(base, [cells.get(i, "") for i, r in grid.roles.items() if r == "qualifier"])
            if service is None and grid.lob_cols:
                continue
            payer = self._payer(cells, grid)
            if grid.lob_cols:
                self._grid_row(
                    row, raw, grid, service, vendor, src, topic, legend, notes, payer, self._qualifier(cells, grid)
                )
            else:
                one_or_more: list[Optional[str]] = list(self._services(cells, grid)) or [
                    service or topic_service(topic)
                ]
                for one in one_or_more:
                    self._plain_row(
                        cells,
                        grid,
                        one,
                        vendor,
                        src,
                        topic,
                        notes,
                        payer,
                        lead,
                        self._qualifier(cells, grid),
                    )

    def _near(self, table: Block) -> list[Block]:
        """The blocks a table's legend and notes may stand in: its own section and subsections ("Key",
        "Notes" under the table's section) and the sections enclosing it (notes at the end of a
        chapter), not a sibling section's prose (another program's "*Commercial members only")."""
        path = tuple(table.section_path)
        return [
            x
            for x in self.walk.doc.blocks
            if x is not table
            and tuple(x.section_path[:1]) == path[:1]
            and (tuple(x.section_path[: len(path)]) == path or path[: len(x.section_path)] == tuple(x.section_path))
        ]

    def _row_offsets(self, b: Block) -> dict[int, tuple[int, int]]:
        out = {}
        pos = 0
        for r in b.rows:
            line = " | ".join(r.cells)
            at = b.text.find(line, pos)
            if at >= 0:
                out[id(r)] = (at, at + len(line))
                pos = at + len(line)
        return out

    # -- cells ---------------------------------------------------------------------------------------
    def _service(self, cells: dict[int, str], grid: Grid) -> Optional[str]:
        for i, role in grid.roles.items():
            if role in ("service", "service_vendor") and cells.get(i):
                text = cells[i]
                if role == "service_vendor":
                    text = re.split(r"\s*\n\s*|\s+(?:reviewed|managed)\s+by\s+", text, flags=re.I)[0]
                first = text.split("\n")[0]
                return self.res.services.name(first, strict=False)
        return None

    def _services(self, cells: dict[int, str], grid: Grid) -> list[str]:
        """Several services listed in one cell ("Radiology; Cardiology"), each a rule of its own."""
        for i, role in grid.roles.items():
            if role == "service" and cells.get(i) and ";" in cells[i].split("\n")[0]:
                names = [self.res.services.name(p, strict=False) for p in cells[i].split("\n")[0].split(";")]
                return [n for n in names if n]
        return []

    def _qualifier(self, cells: dict[int, str], grid: Grid) -> list[str]:
        """The service cell's qualifier ("… with a diagnosis of autism") as a condition of the row's rules."""
        for i, role in grid.roles.items():
            if role in ("service", "service_vendor") and cells.get(i):
                q = split_qualifier(cells[i].split("\n")[0])[1]
                return [q] if q else []
        return []

    def _vendor(self, cells: dict[int, str], grid: Grid, topic: Topic, lead: Optional[Claim]) -> Optional[VendorRef]:
        for i, role in grid.roles.items():
            if role == "vendor" and cells.get(i):
                v = self.res.vendors.label(cells[i].split("\n")[0], self.walk.payer)
                if v:
                    return v
            if role == "service_vendor" and cells.get(i):
                m = re.search(r"(?:reviewed|managed)\s+by\s+(.+)$", cells[i], re.I)
                if m:
                    v = self.res.vendors.label(m.group(1), self.walk.payer)
                    if v:
                        return v
        return (lead.vendor if lead and lead.vendor else None) or topic.find_vendor()

    def _other_lines(self, cell: str, members: list[Member]) -> tuple[str, list[tuple[Lob, str]]]:
        """A requirement cell's own text, and its sentences that state the requirement of another line
        than the row's: "No review is necessary for Medicare PPO Blue." in the Medicare HMO Blue row.
        A conditional sentence ("If an HMO member …") or one naming a part of the row's lines stays."""
        row = [fold(m.lob.stated or m.lob.name) for m in members if m.lob is not None]
        if not row:
            return cell, []
        own: list[str] = []
        others: list[tuple[Lob, str]] = []
        for a, e in sentences(cell):
            sentence = cell[a:e]
            named = [lob for lob, _, _ in self.res.members.in_sentence(sentence, self.walk.payer) if not lob.default]
            tail = FOR_LINE_RE.search(sentence)
            if not named and tail and self.res.members.lobish(tail.group("name"), strict=True):
                # "… for Contoso PPO Choice.": a plan name the vocabulary does not know, said as a line
                named = [
                    m.lob
                    for m in self.res.members.unit(tail.group("name"), self.walk.payer, lob_context=True)
                    if m.lob is not None and not m.lob.default
                ]
            if (
                len(named) == 1
                and not _conditional(sentence)
                and requirement_of(sentence)[0] is not None
                and not any(fold(named[0].stated or named[0].name) in x or x in fold(named[0].name) for x in row)
            ):
                others.append((named[0], sentence))
            else:
                own.append(sentence)
        return " ".join(own), others

    def _payer(self, cells: dict[int, str], grid: Grid) -> Optional[str]:
        for i, role in grid.roles.items():
            if role == "payer" and cells.get(i):
                name = cells[i].split("\n")[0].strip()
                p = self.res.annotate(name).first("PAYER")
                return p.canonical if p and len(p.text) >= len(name) - 3 else name
        return None

    # -- rows ----------------------------------------------------------------------------------------
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
            and any(
                self.res.members.lobish(re.split(r"\s+[—–-]\s+|:\s", line)[0], strict=True)
                for line in member_texts[0].split("\n")
            )
        ):
            # "For these groups …" cells whose lines name a line first: "Northwind commercial — All fully insured groups"
            for line in member_texts[0].split("\n"):
                if self.res.members.lobish(re.split(r"\s+[—–-]\s+|:\s", line)[0], strict=True):
                    members += self.res.members.unit(line, self.walk.payer, lob_context=True)
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


def topic_service(topic: Topic) -> Optional[str]:
    services = topic.find_services()
    return services[0].name if len(services) == 1 else None


def qualified(service: Optional[str], kinds: list[str]) -> Optional[str]:
    """ "acute residential treatment" in a row whose admission type is "Mental health": "acute
    residential treatment for mental health"; "Either mental health or substance use" qualifies nothing."""
    kind = next((k for k in kinds if k.strip()), "")
    if not service or not kind or re.match(r"\s*(?:either|all|any|both|each)\b", kind, re.I):
        return service
    return f"{service} for {kind.strip().lower()}"


def _conditional(sentence: str) -> bool:
    return bool(re.match(r"\s*(?:if|when|unless|where|for\s+example)\b", sentence, re.I))


def requirement_of(cell: str) -> tuple[Optional[Requirement], list[str]]:
    """The requirement a table cell states, and its conditions ("within 72 hours of admission")."""
    conditions = [c.group(0).strip(" ,.;") for c in CONDITION_RE.finditer(cell)]
    if NOT_REQUIRED_RE.search(cell):
        return Requirement.NOT_REQUIRED, conditions
    if re.search(r"\bnotif(?:y|ication)\b", cell, re.I):
        return Requirement.NOTIFICATION, conditions
    if re.search(r"\bpre-?certification\b", cell, re.I):
        return Requirement.PRECERTIFICATION, conditions
    if re.search(r"\b(?:authori[sz]ation|approval|review)\b", cell, re.I):
        return Requirement.PRIOR_AUTHORIZATION, conditions
    return None, conditions
