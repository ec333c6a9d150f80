"""What every step of a document walk shares: the walk's state, and the signatures of the steps the
mixins (``Paragraphs``, ``Applying``, ``Headings``, ``OwnRequirements``, ``Emitting``, ``Pairing``,
``ProgramProfiles``) call on one another. ``DocumentWalk`` sets the state and has every step; this
base only lets each mixin be type-checked on its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Optional

from ingest import Block, Document

from .drafts import Draft, Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement
from .resources import Resources
from .tree import ProgramService, Topic

if TYPE_CHECKING:
    from .claim import Claim
    from .lists import ListReader
    from .prose import ProseReader
    from .tables import TableReader


class WalkState:
    doc: Document
    res: Resources
    payer: str
    prose: ProseReader
    drafts: list[Draft]
    consumed: set[int]
    used: set[tuple[int, int]]
    explained: set[int]
    lob_hint: Optional[Lob]
    lists: ListReader
    tables: TableReader
    _heading_vendors: dict[str, Optional[VendorRef]]

    if TYPE_CHECKING:
        # -- emitting.py
        def emit(
            self,
            vendor: Optional[VendorRef],
            service: str,
            m: Member,
            src: Source,
            topic: Topic,
            pattern: str,
            effective: Optional[date] = None,
            requirement: Optional[Requirement] = None,
            program: Optional[ProgramService] = None,
            conditions: Optional[list[str]] = None,
            payer: Optional[str] = None,
        ) -> Optional[Draft]: ...
        def emit_claim(
            self,
            claim: Claim,
            vendor: Optional[VendorRef],
            service: str,
            m: Member,
            src: Source,
            topic: Topic,
            program: Optional[ProgramService],
        ) -> None: ...
        def resolve_service(self, name: str, topic: Topic) -> str: ...
        def add_service(self, topic: Topic, ps: ProgramService) -> None: ...
        def remember(self, topic: Topic, name: str, vendor: Optional[VendorRef], src: Source) -> None: ...

        def restates(self, claim: Claim, services: list[str], topic: Topic) -> bool: ...
        def transition(self, claim: Claim, services: list[str], src: Source, topic: Topic) -> None: ...

        # -- owned.py
        def own_requirement(self, claim: Claim, src: Source, topic: Topic) -> None: ...
        def own_reviewer(self) -> VendorRef: ...
        def section_services(self, topic: Topic, vendor: Optional[VendorRef] = None) -> list[str]: ...
        def outside_named_program(self, claim: Claim, src: Source, topic: Topic) -> bool: ...
        def lines_left_out(self, claim: Claim, src: Source, topic: Topic) -> bool: ...
        def takes_over(self, claim: Claim, topic: Topic) -> bool: ...
        def retarget(self, last: Claim, claim: Claim, b: Block, topic: Topic) -> bool: ...

        # -- headings.py
        def heading_label(self, topic: Topic, company_ok: bool = False) -> Optional[str]: ...
        def heading_vendor(self, topic: Topic) -> Optional[VendorRef]: ...
        def names_a_company(self, topic: Topic) -> bool: ...
        def same_vendor_as_section(self, claim: Claim, topic: Topic) -> None: ...

        # -- pairing.py
        def exceptions_to_last(self, topic: Topic, text: str, src: Source) -> None: ...
        def segment_modifier(self, claim: Claim, b: Block, topic: Topic) -> None: ...
        def refines_line(self, topic: Topic, m: Member, src: Source) -> bool: ...

        # -- profiles.py
        def profile(self, claim: Claim, text: str, topic: Topic) -> None: ...

        # -- paragraphs.py
        def paragraph(self, b: Block, topic: Topic, siblings: list[Block]) -> Optional[Claim]: ...
        def resolve_anaphora(self, claim: Claim, last: Optional[Claim], text: str) -> None: ...
        def modifies_last(self, claim: Claim, last: Claim, b: Block, text: str) -> bool: ...

        # -- applying.py
        def apply(self, claim: Claim, b: Block, topic: Topic) -> None: ...
