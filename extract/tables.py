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
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ingest import Block, BlockKind

from .drafts import Source, VendorRef
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import CONTACT_HEADER_RE, EFFECTIVE_CUE_RE, ENDED_RE, EXCEPT_RE, EXCLUDES_START_RE, NONE_RE, NOT_REQUIRED_RE, ONLY_ELECTED_RE
from .prose import Claim
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, dates_in, day_after, fold, normalize
from .services import split_qualifier
from .tree import Topic

I = re.IGNORECASE
ROLE_PATTERNS = [
    ("contact", CONTACT_HEADER_RE),
    ("area", re.compile(r"\bservice\s+areas?\b|\bprefix(?:es)?\b|\bcounty|\bcounties|\bzip\b", I)),
    ("payer", re.compile(r"\b(?:health\s+plans?|payers?|clients?|customers?|insurers?|carriers?|plan\s+name)\b", I)),
    ("vendor", re.compile(r"\breview(?:ed)?\s*by\b|\breviewers?\b|\bvendors?\b|\bmanaged\s+by\b|\bcompany\b|"
                          r"\bhandled\s+by\b|\bdelegated\s+to\b|\bwho\s+(?:reviews|manages)\b|\badministrator\b", I)),
    ("members", re.compile(r"\bmembers?\b|\bwho\s+is\s+included\b|\bincluded\b|\beligib|\bpopulations?\b|\bgroups?\b", I)),
    ("lob", re.compile(r"\blines?\s+of\s+business\b|^\s*plans?\s*$|\bplan\s+types?\b|\bproducts?\b|\blob\b|"
                       r"\bmembership\b|\bcoverage\s+type\b|/\s*plan\s*$|\bplans\b|\bbenefit\s+plans?\b|\bplan\s*$", I)),
    ("effective", re.compile(r"\beffective\b|\bstart\b|\bbegin|\bdates?\b|\bas\s+of\b", I)),
    ("status", re.compile(r"\bstatus\b", I)),
    ("requirement", re.compile(r"\brequire|\bauthori[sz]ation\b|\bprior\s+auth", I)),
    ("notes", re.compile(r"\bnotes?\b|\bcomments?\b|\bdetails\b|\bexclusions?\b|\bexceptions?\b|\bconditions?\b", I)),
    ("state", re.compile(r"^\s*states?\s*$|\bregions?\b|\bmarkets?\b|\bservice\s+areas?\b|\bcounty|\bcounties|"
                         r"\bprefix(?:es)?\b|\bzip\b", I)),
    ("service", re.compile(r"\bprograms?\b|\bservices?\b|\bprocedures?\b|\bbenefits?\b|\btests?\b|\bdrugs?\b|"
                           r"\btherap|\bmodalit|\bcategory\b|\btype\s+of\s+service\b", I)),
]
MARK_RE = re.compile(r"^\s*(?P<mark>[✓✔✅☑✗✘xX•●○◯OoPpYyNn]|yes|no|required|not\s+required|n/?a|—|–|-|none|optional)\s*"
                     rf"(?P<notes>[{re.escape(SUPERSCRIPTS + FOOTNOTE_SYMBOLS)}\s,]*)$", I)
FOOTNOTE_START_RE = re.compile(rf"(?:^|(?<=[.;]\s))(?P<m>[{re.escape(SUPERSCRIPTS)}]|[{re.escape(FOOTNOTE_SYMBOLS)}])\s*"
                               rf"(?=[A-Z])")
LEGEND_LINE_RE = re.compile(r"(?:^|(?<=\.\s))[\"“]?(?P<sym>[✓✔✅☑✗✘•●○◯]|[A-Z]{1,3}|Yes|No|N/A|—|–|-)[\"”]?\s*(?:=|:|–|-)?\s+"
                            r"(?P<meaning>[A-Z][^.]*\.?)")


#: A note about the document's own changes ("… were added in this update"), not a condition of the rule.
#: "Note: …" at the start of a line inside a cell.
NOTE_LINE_RE = re.compile(r"^\s*(?:\*\s*)?notes?\s*:\s*", I)
UPDATE_NOTE_RE = re.compile(r"\b(?:were|was|are|is|have\s+been|has\s+been)\s+(?:added|removed|updated|revised|changed)\b|"
                            r"\bin\s+this\s+update\b|\bnew\s+in\s+this\b", re.IGNORECASE)
#: Columns whose merged cells a PDF leaves empty below their first row.
FILL_DOWN_ROLES = {"vendor", "payer", "service", "service_vendor", "category", "area", "effective"}


@dataclass
class MarkMeaning:
    scope: Scope = Scope.ALL
    in_house: bool = False
    requirement: Optional[Requirement] = None


@dataclass
class Footnote:
    marker: str
    text: str
    block: Block
    start: int
    end: int


@dataclass
class Grid:
    roles: dict[int, str] = field(default_factory=dict)
    lob_cols: dict[int, str] = field(default_factory=dict)
    header_rows: int = 0


class TableReader:
    def __init__(self, walk):
        self.walk = walk
        self.res = walk.res

    # -- the table -----------------------------------------------------------------------------------
    def read(self, b: Block, topic: Topic, siblings: list[Block], lead: Optional[Claim]) -> None:
        rows = [r for r in b.rows if any(c.strip() for c in r.cells)]
        if len(rows) < 2:
            return
        grid = self._layout(rows)
        if not grid.roles and not grid.lob_cols:
            return
        if "contact" in grid.roles.values() and not grid.lob_cols and "lob" not in grid.roles.values():
            return
        near = self._near(b)
        legend = self._legend(near)
        notes = self._footnotes(near, b)
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
            cells = {i: "\n".join(normalize(line) for line in c.split("\n") if line.strip()) for i, c in enumerate(row.cells)}
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
            if service is None and grid.lob_cols:
                continue
            payer = self._payer(cells, grid)
            if grid.lob_cols:
                self._grid_row(row, raw, grid, service, vendor, src, topic, legend, notes, payer,
                               self._qualifier(cells, grid))
            else:
                self._plain_row(cells, grid, service or topic_service(topic), vendor, src, topic, notes, payer, lead,
                                self._qualifier(cells, grid))

    def _layout(self, rows) -> Grid:
        """Column roles from the header rows (several header rows are read top-down per column)."""
        grid = Grid()
        n = 0
        while n < len(rows) and rows[n].header and len(rows[n].cells) > 1:
            n += 1
        if n == 0 and all(len(normalize(c).split()) <= 8 and not MARK_RE.match(c) for c in rows[0].cells):
            n = 1
        grid.header_rows = n
        if n == 0:
            return grid
        width = max(len(r.cells) for r in rows)
        for i in range(width):
            texts = []
            for r in rows[:n]:
                if i < len(r.cells) and normalize(r.cells[i]) not in texts and len(r.cells) > 1:
                    texts.append(normalize(r.cells[i]))
            head = " / ".join(texts)
            body = [normalize(r.cells[i]) for r in rows[n:] if i < len(r.cells) and not r.header]
            marks = sum(1 for c in body if MARK_RE.match(c) or not c
                        or self.res.vendors.label(c.split("\n")[0], self.walk.payer) is not None)
            if body and marks >= max(1, len(body) * 0.6) and self._lob_header(texts[-1] if texts else ""):
                grid.lob_cols[i] = texts[-1]
                continue
            last = texts[-1] if texts else ""
            for role, rx in ROLE_PATTERNS:
                if rx.search(last) or (role != "members" and rx.search(head)):
                    if role == "service" and "service" in grid.roles.values():
                        prev = next(k for k, v in grid.roles.items() if v == "service")
                        if re.search(r"\bservice|\bprocedure", last, I) and not re.search(r"\bservice|\bprocedure",
                                                                                          texts[-1] if texts else "", I):
                            break
                        if re.search(r"\bservice|\bprocedure", last, I):
                            grid.roles[prev] = "category"
                        else:
                            break
                    if re.search(r"program\s+and\s+reviewer|service\s+and\s+vendor", last, I):
                        role = "service_vendor"
                    grid.roles[i] = role
                    break
        return grid

    def _near(self, table: Block) -> list[Block]:
        """The blocks a table's legend and notes may stand in: its top-level section ("Key", "Notes"
        are subsections of the table's section)."""
        top = table.section_path[:1]
        return [x for x in self.walk.doc.blocks if x.section_path[:1] == top and x is not table]

    def _lob_header(self, text: str) -> bool:
        return self.res.members.lobish(text, strict=True) or bool(self.res.lobs.segments_in(text))

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
                    text = re.split(r"\s*\n\s*|\s+(?:reviewed|managed)\s+by\s+", text, flags=I)[0]
                first = text.split("\n")[0]
                return self.res.services.name(first, strict=False)
        return None

    def _qualifier(self, cells: dict[int, str], grid: Grid) -> list[str]:
        """The service cell's qualifier ("… with a diagnosis of autism") as a condition of the row's rules."""
        for i, role in grid.roles.items():
            if role in ("service", "service_vendor") and cells.get(i):
                q = split_qualifier(cells[i].split("\n")[0])[1]
                return [q] if q else []
        return []

    def _vendor(self, cells, grid, topic: Topic, lead: Optional[Claim]) -> Optional[VendorRef]:
        for i, role in grid.roles.items():
            if role == "vendor" and cells.get(i):
                v = self.res.vendors.label(cells[i].split("\n")[0], self.walk.payer)
                if v:
                    return v
            if role == "service_vendor" and cells.get(i):
                m = re.search(r"(?:reviewed|managed)\s+by\s+(.+)$", cells[i], I)
                if m:
                    v = self.res.vendors.label(m.group(1), self.walk.payer)
                    if v:
                        return v
        return (lead.vendor if lead and lead.vendor else None) or topic.find_vendor()

    def _payer(self, cells, grid) -> Optional[str]:
        for i, role in grid.roles.items():
            if role == "payer" and cells.get(i):
                name = cells[i].split("\n")[0].strip()
                p = self.res.annotate(name).first("PAYER")
                return p.canonical if p and len(p.text) >= len(name) - 3 else name
        return None

    # -- rows ----------------------------------------------------------------------------------------
    def _plain_row(self, cells, grid, service, vendor, src, topic, notes, payer, lead, qualifiers) -> None:
        if not service or vendor is None:
            return
        lob_texts = [cells[i] for i, r in grid.roles.items() if r == "lob" and cells.get(i)]
        member_texts = [cells[i] for i, r in grid.roles.items() if r == "members" and cells.get(i)]
        members: list[Member] = []
        for t in lob_texts:
            for line in re.split(r"\n|;\s*", t):
                line = re.sub(r"\s+only\s*$", "", line.strip(), flags=I)
                if line:
                    members += self.res.members.unit(line, self.walk.payer, lob_context=True)
        if member_texts and not members and any(self.res.members.lobish(re.split(r"\s+[—–-]\s+|:\s", line)[0], strict=True)
                                                for line in member_texts[0].split("\n")):
            # "For these groups …" cells whose lines name a line first: "Northwind commercial — All fully insured groups"
            for line in member_texts[0].split("\n"):
                if self.res.members.lobish(re.split(r"\s+[—–-]\s+|:\s", line)[0], strict=True):
                    members += self.res.members.unit(line, self.walk.payer, lob_context=True)
                elif NOTE_LINE_RE.match(line):
                    # "Note: Zephyr manages these services for members age 19 and older."
                    qualifiers = qualifiers + [NOTE_LINE_RE.sub("", line).strip()]
            member_texts = []
        if member_texts:
            scoped = self.res.clauses.parse(member_texts[0])
            base = members or [Member(None, Segment.ALL, Scope.ALL)]
            if scoped:
                members = [Member(m.lob, seg if seg is not Segment.ALL else m.segment, c.scope, list(c.exceptions),
                                  list(c.inclusions), list(c.conditions), c.effective, m.service_dates)
                           for m in base for c in scoped for seg in c.segments]
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
                refs, none_lobs = self._exclusions(note, [m.lob.stated for m in members if m.lob])
                for ref in refs:
                    words = self._lob_words(ref.name)
                    targets = [m for m in members if m.lob and words and words <= set(fold(m.lob.name).split())] \
                        if words else members
                    for m in targets or members:
                        m.exceptions.append(ref)
                        if m.scope is Scope.ALL:
                            m.scope = Scope.MOST
                for lob in none_lobs:
                    self.walk.emit(vendor, service, Member(lob, Segment.ALL, Scope.NONE), src, topic, "table-note",
                                   payer=payer)
            elif NOT_REQUIRED_RE.search(note) and re.match(r"^\s*ended\b", note, I):
                ended, not_required = True, True
                effective = next((d.value for d in dates_in(note)), effective)
            elif not UPDATE_NOTE_RE.search(note):
                conditions.append(note)
        for m in members:
            if ended:
                m = Member(m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective)
            self.walk.emit(vendor, service, m, src, topic, "table-row", effective,
                           Requirement.NOT_REQUIRED if not_required else None, conditions=conditions, payer=payer)

    def _lob_words(self, text: str) -> set[str]:
        """Line-of-business words a group name carries ("commercial PPO plans that use …")."""
        ann = self.res.annotate(text)
        words = {fold(m.text) for m in ann.of("LOB", "PLANTYPE") if m.label == "PLANTYPE" or m.generic}
        return {w for x in words for w in x.split()}

    def _families(self, text: str) -> set[str]:
        """Medicare, Medicaid or commercial: which family of lines a phrase names."""
        out = set()
        for m in self.res.annotate(text).of("LOB"):
            name = m.canonical.lower()
            out.add("medicaid" if re.search(r"medicaid|chip|medical assistance", name) else
                    "medicare" if re.search(r"medicare|snp|medigap|part d", name) else "commercial")
        return out

    def _exclusions(self, note: str, row_lobs: Optional[list] = None):
        """"Not included: A (…); B; C": groups and lines left out. A line of another family than
        the row's ("Senior Products (… Medicare …)" beside commercial lines) is a line left out;
        anything else is an excepted group."""
        row_families = set()
        for lob in row_lobs or []:
            row_families |= self._families(lob) or {"commercial"}
        body = EXCEPT_RE.sub("", note, count=1)
        refs, lobs = [], []
        masked = re.sub(r"\([^()]*\)", lambda m: "\x00" * len(m.group(0)), body)
        cuts = [0] + [x for m in re.finditer(r"\s*;\s*|\s+and\s+(?=[a-z]*\s*[A-Z]|commercial|medicare)", masked)
                      for x in (m.start(), m.end())] + [len(body)]
        for k in range(0, len(cuts), 2):
            part = body[cuts[k]:cuts[k + 1]].strip(" .")
            if not part:
                continue
            fam = self._families(part)
            if re.search(r"\b(?:that|who|whose|which|use|uses)\b|\bgroup\s+#?\d{3,}|\b(?:Company|Inc|LLC)\b", part) \
                    or not fam or fam <= row_families:
                refs += self.res.clauses.groups_in(part) or []
            else:
                lob = self.res.lobs.name(part, self.walk.payer)
                outer = re.sub(r"\([^)]*\)", "", part)
                if lob and re.match(r"[A-Z]", part) and not self.res.annotate(outer).of("PAYER", "GROUP"):
                    lobs.append(lob)
                else:
                    refs += self.res.clauses.groups_in(part)
        return refs, lobs

    def _grid_row(self, row, cells, grid, service, vendor, src, topic, legend, notes, payer, qualifiers) -> None:
        for i, header in grid.lob_cols.items():
            cell = cells.get(i, "")
            if not cell:
                continue
            m = MARK_RE.match(cell)
            if m:
                meaning = self._mark_meaning(m.group("mark"), legend)
                v = VendorRef(self.walk.payer, m.group("mark"), False, True) if meaning.in_house else vendor
                if v is None and meaning.requirement is Requirement.NOT_REQUIRED:
                    v = self.walk.own_reviewer()  # a grid whose cells name the reviewers: "Not required"
                markers = [c for c in m.group("notes") if c in SUPERSCRIPTS + FOOTNOTE_SYMBOLS]
            else:
                # a grid whose cells name who reviews the row's service for the column's line
                v = self.res.vendors.label(re.sub(rf"[{re.escape(SUPERSCRIPTS + FOOTNOTE_SYMBOLS)}]+$", "",
                                                  cell.split("\n")[0]), self.walk.payer)
                meaning, markers = MarkMeaning(Scope.ALL), [c for c in cell if c in SUPERSCRIPTS + FOOTNOTE_SYMBOLS]
            if v is None:
                continue
            lob = self.res.lobs.name(header, self.walk.payer)
            segs = list(lob.segments) if lob else []
            seg_list = [s for s in segs if s is not Segment.GROUP] or ([Segment.GROUP] if segs else [Segment.ALL])
            if lob is not None and lob.default and lob.name == "Commercial" and Segment.INDIVIDUAL in segs:
                seg_list = [Segment.INDIVIDUAL]
            for seg in seg_list:
                mem = Member(lob, seg, meaning.scope)
                draft = self.walk.emit(v, service, mem, src, topic, "grid-cell", requirement=meaning.requirement,
                                       payer=payer, conditions=qualifiers)
                if draft is not None:
                    for mk in markers:
                        for fn in notes.get(mk, []):
                            self._apply_footnote(draft, fn)

    def _mark_meaning(self, mark: str, legend: dict[str, MarkMeaning]) -> MarkMeaning:
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

    def _legend(self, siblings: list[Block]) -> dict[str, MarkMeaning]:
        out: dict[str, MarkMeaning] = {}
        for b in siblings:
            if b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.CAPTION):
                continue
            for m in LEGEND_LINE_RE.finditer(normalize(b.text)):
                sym, meaning = m.group("sym").strip().lower(), m.group("meaning")
                if len(sym) > 3 and sym not in ("yes", "n/a"):
                    continue
                mm = MarkMeaning()
                if NONE_RE.search(meaning) or re.search(r"\bno\s+review\b|\bnot\s+part\b", meaning, I):
                    mm.scope = Scope.NONE
                elif ONLY_ELECTED_RE.search(meaning) or re.search(r"\boptional\b", meaning, I):
                    mm.scope = Scope.SELECT
                if re.search(r"\b(?:itself|in-house|do\s+not\s+send\s+it\s+to\s+the\s+company)\b", meaning, I) or \
                        (self.res.annotate(meaning).of("PAYER") and re.search(r"\breviews?\b", meaning, I) and
                         not self.res.annotate(meaning).of("VENDOR")):
                    mm.in_house = True
                if NOT_REQUIRED_RE.search(meaning) and mm.scope is not Scope.NONE:
                    mm.requirement = Requirement.NOT_REQUIRED
                out[sym] = mm
        return out

    def _footnotes(self, siblings: list[Block], table: Block) -> dict[str, list[Footnote]]:
        """Notes keyed by their marker; the blocks that are only notes are the table's, not prose."""
        out: dict[str, list[Footnote]] = {}
        used = set()
        for b in siblings:
            if b is table or b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.CAPTION):
                continue
            text = b.text
            if b.kind is BlockKind.LIST_ITEM and b.marker and b.marker in FOOTNOTE_SYMBOLS + SUPERSCRIPTS:
                out.setdefault(b.marker, []).append(Footnote(b.marker, text, b, 0, len(text)))
                self.walk.consumed.add(b.index)
                continue
            starts = [m for m in FOOTNOTE_START_RE.finditer(text)]
            if starts and starts[0].start() == 0:
                self.walk.consumed.add(b.index)
            for k, m in enumerate(starts):
                end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
                out.setdefault(m.group("m"), []).append(Footnote(m.group("m"), text[m.end():end].strip(), b, m.start(), end))
        return out

    def _apply_footnote(self, draft, fn: Footnote) -> None:
        text = normalize(fn.text)
        if EXCLUDES_START_RE.match(text):
            refs = self.res.clauses.population(EXCLUDES_START_RE.sub("", text).split(". ")[0])
            draft.exceptions.extend(r for r in refs if r not in draft.exceptions)
            if refs and draft.scope is Scope.ALL:
                draft.scope = Scope.MOST
            return
        if EXCEPT_RE.search(text):
            cut = EXCEPT_RE.search(text)
            body = re.split(r"(?<=[.])\s+(?=[A-Z])", text[cut.end():])[0]
            if not re.match(r"(?:members|those|people)\s+whose\b", body, I):
                body = re.sub(r"\s+(?:left|joined|is|are|was|were)\b.*$", "", body)
            refs = self.res.clauses.exception_list(body)
            draft.exceptions.extend(r for r in refs if r not in draft.exceptions)
            if refs and draft.scope is Scope.ALL:
                draft.scope = Scope.MOST
        if ONLY_ELECTED_RE.search(text) and draft.scope in (Scope.ALL, Scope.MOST):
            draft.scope = Scope.SELECT
        states = [m.canonical for m in self.res.annotate(text).of("STATE")]
        if states and re.search(r"\bother\s+states\b|\bonly\b", text, I) and draft.scope is not Scope.NONE:
            draft.scope = Scope.ONLY
            draft.inclusions.extend(s for s in states if s not in draft.inclusions)
            draft.conditions.append(text)
            return
        dates = [d for d in dates_in(text)]
        if dates and EFFECTIVE_CUE_RE.search(text) and len(dates) == 1:
            draft.effective = dates[0].value
            return
        if not EXCEPT_RE.search(text) and not ONLY_ELECTED_RE.search(text):
            draft.conditions.append(text)


def topic_service(topic: Topic) -> Optional[str]:
    services = topic.find_services()
    return services[0].name if len(services) == 1 else None
