"""What a list item is: a line of business with its members, a segment under a line, an excepted
group after "Exceptions:", a group or line left out ("Excluded memberships"), or a sentence; and
``ItemCtx``, what an item open on the list's stack holds for the items nested under it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ingest import Block

from .claim import Claim
from .drafts import Draft, Source, VendorRef
from .members import Member
from .model import Scope, Segment
from .patterns import LABEL_MAX_WORDS
from .text import normalize
from .tree import Exclusion, ProgramMember, ProgramService, Topic

if TYPE_CHECKING:
    from .resources import Resources
    from .walk import DocumentWalk

POPULATION_RE = re.compile(
    r"\b(?:employees|retirees|group\s+#?\d{3,}|\(group\s+\d+\)|group\s+retiree|sponsored\s+by|"
    r"whose|who\s+(?:are|live|have))\b",
    re.IGNORECASE,
)


@dataclass
class ItemCtx:
    depth: int
    kind: str
    block: Block
    services: list[tuple[str, Optional[VendorRef], Optional[ProgramService]]] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    vendor: Optional[VendorRef] = None
    emitted: list[Draft] = field(default_factory=list)
    lob_header: bool = False
    claim: Optional[Claim] = None
    open_members: list[Member] = field(default_factory=list)  # members whose "Exceptions:" the next items list


class ItemShapes:
    """Item-classifying steps of ``ListReader``."""

    walk: DocumentWalk
    res: Resources

    def _exception_item(self, b: Block) -> bool:
        """An item that names an excepted group, not a line or a scope: the items after one ending in
        "Exceptions:" that stand at its own depth ("State of Ohio: requests are managed by …")."""
        text = normalize(b.text)
        head = re.split(r"\s*:\s+|\s+[—–]\s+", text, maxsplit=1)[0]
        if (
            self.res.members.lobish(head, strict=True)
            or self.res.clauses.scope_re.match(text)
            or self.res.lobs.segment_re.match(text)
        ):
            return False
        return bool(self.res.clauses.groups_in(head))

    def _segment_only(self, b: Block) -> bool:
        ms = self.res.members.unit(b.text, self.walk.payer)
        return bool(ms) and all(m.lob is None for m in ms)

    # -- one item ------------------------------------------------------------------------------------
    def _membership_shaped(self, text: str) -> bool:
        """A membership item names a line first, or starts with a scope or segment, or is a short label;
        a sentence ("Acme has selected X to …") is read as prose instead."""
        head = re.split(r"\s*:\s+|\s+[—–]\s+|\s+-\s+", text, maxsplit=1)[0]
        if self.res.members.lobish(head, strict=True):
            return True
        if self.res.clauses.scope_re.match(text) or self.res.lobs.segment_re.match(text):
            return True
        return len(text.split()) <= LABEL_MAX_WORDS and not text.rstrip().endswith(".")

    def _states_members(self, text: str) -> bool:
        ms = self.res.members.unit(text, self.walk.payer)
        return bool(ms) and (any(m.explicit_scope for m in ms) or any(m.lob for m in ms))

    def _excluded(self, b: Block, text: str, depth: int, topic: Topic, src: Source) -> Optional[ItemCtx]:
        if POPULATION_RE.search(text):
            # "Gentex employees (self-funded PPO group 783589): advanced imaging only": an excepted group
            name = re.split(r"\s*[:;]\s*|\s+[—–]\s+", text, maxsplit=1)
            qualifier = " ".join(re.findall(r"\(([^)]*)\)", name[0]))
            refs = (
                self.res.clauses.population(name[0])
                if re.search(r"\(group\s+retiree|\bsponsored\s+by", name[0], re.I)
                else self.res.clauses.groups_in(re.sub(r"\s*\([^)]*\)", "", name[0]))
            )
            only = re.search(r"^\s*(.+?)\s+only\b", name[1]) if len(name) > 1 else None
            topic.exclusions.append(
                Exclusion(
                    refs,
                    [x for x in self.res.lobs.segments_in(qualifier) if x is not Segment.GROUP],
                    [w for w in re.findall(r"[A-Za-z-]+", qualifier) if self.res.lobs.is_plan_types(w)],
                    self.res.services.name(only.group(1)) if only else None,
                    src,
                )
            )
            return None
        if not self.res.members.lobish(re.split(r"\s*[:;]\s*|\s+[—–]\s+", text)[0], strict=True):
            return None  # "Emergency rooms", "Services in the emergency department": a setting, not members
        members = self.res.members.unit(text, self.walk.payer, lob_context=True)
        members = [m for m in members if m.lob is not None]
        if not members:
            return None
        for m in members:
            m.scope = Scope.NONE
        topic.members.extend(ProgramMember(m, src, None, True) for m in members)
        return None

    def _vendor(self, lead: Optional[Claim], topic: Topic) -> Optional[VendorRef]:
        return (lead.vendor if lead and lead.vendor else None) or topic.find_vendor()
