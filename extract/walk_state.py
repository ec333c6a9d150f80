"""What every step of a document walk shares: the walk's state, and the signatures of the steps the
mixins (``OwnRequirements``, ``Emitting``, ``Pairing``) call on one another. ``DocumentWalk`` sets
the state and has every step; this base only lets each mixin be type-checked on its own."""

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
    from .lists import ListReader
    from .prose import Claim, ProseReader
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

        # -- owned.py
        def own_reviewer(self) -> VendorRef: ...
        def section_services(self, topic: Topic, vendor: Optional[VendorRef] = None) -> list[str]: ...
        def heading_label(self, topic: Topic, company_ok: bool = False) -> Optional[str]: ...
        def heading_vendor(self, topic: Topic) -> Optional[VendorRef]: ...
        def names_a_company(self, topic: Topic) -> bool: ...
        def outside_named_program(self, claim: Claim, src: Source, topic: Topic) -> bool: ...

        # -- pairing.py
        def exceptions_to_last(self, topic: Topic, text: str, src: Source) -> None: ...
        def segment_modifier(self, claim: Claim, b: Block, topic: Topic) -> None: ...

        # -- walk.py
        def paragraph(self, b: Block, topic: Topic, siblings: list[Block]) -> Optional[Claim]: ...
