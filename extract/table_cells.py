"""What one table cell says: the row's service (and its qualifier), who reviews it, the health plan
of a vendor's client list, and a requirement cell's requirement, conditions and sentences about
other lines ("No review is necessary for Medicare PPO Blue." in the Medicare HMO Blue row).
``table_rows.py`` makes rules of a row from these; ``tables.py`` reads the table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .claim import Claim
from .drafts import VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement
from .patterns import NOT_REQUIRED_RE
from .prefilter import prefilter_module
from .requirements import CONDITION_RE
from .service_names import split_qualifier
from .table_layout import Grid
from .text import fold, sentences
from .tree import Topic

if TYPE_CHECKING:
    from .resources import Resources
    from .walk import DocumentWalk

#: "… is necessary for |Contoso PPO Choice| (members)." — the line a sentence in a cell ends on
FOR_LINE_RE = re.compile(r"\bfor\s+(?P<name>[^.;,:()]{3,60}?)(?:\s+(?:members|plans?))?\s*\.?\s*$", re.I)


class TableCells:
    """Cell-reading steps of ``TableReader``."""

    walk: DocumentWalk
    res: Resources

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


#: "No", "No (see below)" under "Authorization is required": not required
NO_CELL_RE = re.compile(r"\s*no\b(?!\s+(?:longer|later|more|earlier|sooner|other|one|review|change))", re.I)


def requirement_of(cell: str) -> tuple[Optional[Requirement], list[str]]:
    """The requirement a table cell states, and its conditions ("within 72 hours of admission")."""
    conditions = [c.group(0).strip(" ,.;") for c in CONDITION_RE.finditer(cell)]
    if NOT_REQUIRED_RE.search(cell) or NO_CELL_RE.match(cell):
        return Requirement.NOT_REQUIRED, conditions
    if re.search(r"\bnotif(?:y|ication)\b", cell, re.I):
        return Requirement.NOTIFICATION, conditions
    if re.search(r"\bpre-?certification\b", cell, re.I):
        return Requirement.PRECERTIFICATION, conditions
    if re.search(r"\b(?:authori[sz]ation|approval|review)\b", cell, re.I):
        return Requirement.PRIOR_AUTHORIZATION, conditions
    return None, conditions


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
