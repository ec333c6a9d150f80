"""The context tree of a document: document → section → blocks, and what each section is about.

A ``Section`` holds the blocks under one heading (up to its first subsection) and its
subsections. A ``Topic`` is what a reader keeps in mind while reading a section: the vendor it
is about, the services of its program, the line of business its heading or tab names, the
members it has stated, its effective date, and what its lists enumerate ("Applicable
memberships", "Services requiring prior authorization", "Excluded memberships"). A topic
inherits every slot it does not state from its parent: a grid cell takes its line of business
from the column, a slide takes "Applicable memberships" from a sibling slide of the same deck
through the document's topic, a sentence takes the payer from the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ingest import Block, BlockKind, Document

from .drafts import Draft, Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement, Scope


@dataclass
class Section:
    heading: Optional[Block]
    level: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    #: blocks and subsections in document order: a paragraph after a section's subsections (a tab's
    #: closing note) is read after them, in the section it belongs to
    items: list[Block | Section] = field(default_factory=list)
    path: tuple[str, ...] = ()


def build_tree(doc: Document) -> Section:
    """Sections nested by heading level; blocks before the first heading belong to the root. A block
    whose section path names an enclosing section (ingest knows it from the page's structure: a
    paragraph after a tab's subsections) closes the subsections it follows."""
    root = Section(None, 0)
    stack = [root]
    for b in doc.blocks:
        if b.kind is BlockKind.HEADING:
            level = max(1, b.level)
            while len(stack) > 1 and stack[-1].level >= level:
                stack.pop()
            sec = Section(b, level, path=(*stack[-1].path, b.text) if stack[-1].heading is not None else (b.text,))
            stack[-1].children.append(sec)
            stack[-1].items.append(sec)
            stack.append(sec)
        else:
            path = tuple(b.section_path)
            while len(stack) > 1 and len(path) < len(stack[-1].path) and stack[-1].path[: len(path)] == path:
                stack.pop()
            stack[-1].blocks.append(b)
            stack[-1].items.append(b)
    return root


@dataclass
class ProgramService:
    """A service a section's program covers, with who manages it (when the text said)."""

    name: str
    vendor: Optional[VendorRef]
    source: Source
    effective: Optional[date] = None
    stated: str = ""
    requirement: Optional[Requirement] = None
    conditions: list[str] = field(default_factory=list)
    negated: bool = False
    used: bool = False
    emitted: bool = False  # known from a rule already stated with its members: context for "the program", never paired
    listed: bool = False  # enumerated by a list of what the program includes: it replaces the program's summary name
    origin: str = "claim"  # "heading" | "claim" | "list": where the service was named
    aliases: list[str] = field(default_factory=list)  # other wordings the section used for it
    home: Optional[Topic] = None  # the section that stated it, once handed up (None: this section)
    partners: list[VendorRef] = field(default_factory=list)  # vendors named jointly with ``vendor``


@dataclass
class ProgramMember:
    """Members a section has stated without a service to pair them with yet."""

    member: Member
    source: Source
    vendor: Optional[VendorRef] = None
    negated: bool = False
    requirement: Optional[Requirement] = None
    effective: Optional[date] = None
    used: bool = False
    handed_up: bool = False  # came from a subsection: paired when this section closes, not taken by a sentence
    home: Optional[Topic] = None  # the section that stated it, once handed up (None: this section)


@dataclass
class Exclusion:
    """A group left out of a program ("Gentex employees (self-funded PPO group …): advanced imaging
    only"): an exception on the rules whose segment, plan type and service it names."""

    refs: list
    segments: list
    plan_types: list[str]
    service: Optional[str]
    source: Source
    applied: bool = False
    vendor: Optional[str] = None  # "… are excluded from the Zephyr program": only that vendor's rules


@dataclass
class Topic:
    parent: Optional[Topic]
    heading: str = ""
    vendor: Optional[VendorRef] = None
    lob: Optional[Lob] = None
    lobs: list[Lob] = field(default_factory=list)  # when the heading names several lines
    lob_scope: Scope = Scope.ALL  # "…, for select Medicare Advantage members": how many of the heading's line
    services: list[ProgramService] = field(default_factory=list)
    members: list[ProgramMember] = field(default_factory=list)
    effective: Optional[date] = None
    requirement: Optional[Requirement] = None
    role: Optional[str] = None
    drafts: list[Draft] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    heading_service: bool = False
    member_list: bool = False  # the section lists its members ("Members in the program:")
    child_vendors: set = field(default_factory=set)  # vendors its subsections were about
    vendor_from_child: bool = False
    vendor_stated: bool = False  # the heading or a "Managed by:" label named the vendor: the section is its
    vendor_home: Optional[Topic] = None  # the subsection the vendor was taken from
    profiles: bool = False  # the section profiles a partner's care program: its lists are what the program holds

    def chain(self) -> Iterator[Topic]:
        t: Optional[Topic] = self
        while t is not None:
            yield t
            t = t.parent

    def within(self, other: Optional[Topic]) -> bool:
        """This section is ``other`` or lies under it."""
        return other is not None and any(t is other for t in self.chain())

    def find_vendor(self) -> Optional[VendorRef]:
        """The vendor this section is about, or its nearest ancestor's. A vendor an ancestor took from
        one of its subsections speaks for that ancestor's own text, not for the sibling sections after."""
        return next(
            (t.vendor for t in self.chain() if t.vendor is not None and (t is self or not t.vendor_from_child)), None
        )

    def section_vendor(self) -> Optional[VendorRef]:
        """The vendor a heading or label says the section is about (not one a sentence merely named)."""
        return next((t.vendor for t in self.chain() if t.vendor is not None and t.vendor_stated), None)

    def find_lobs(self) -> list[Lob]:
        """The lines the nearest section that names any names: several for "Commercial and Medicare
        Advantage members", one otherwise."""
        t = next((t for t in self.chain() if t.lob is not None), None)
        return (t.lobs or [t.lob]) if t is not None and t.lob is not None else []

    def find_lob(self) -> Optional[Lob]:
        return next((t.lob for t in self.chain() if t.lob is not None), None)

    def find_effective(self) -> Optional[date]:
        return next((t.effective for t in self.chain() if t.effective is not None), None)

    def find_requirement(self) -> Optional[Requirement]:
        return next((t.requirement for t in self.chain() if t.requirement is not None), None)

    def find_role(self) -> Optional[str]:
        return self.role

    def find_services(self, vendor: Optional[VendorRef] = None) -> list[ProgramService]:
        """The nearest section's program services; with ``vendor``, only that vendor's (or ones
        no vendor was named for): a sibling vendor's programs are not this section's."""
        for t in self.chain():
            found = [s for s in t.services if vendor is None or s.vendor is None or s.vendor.name == vendor.name]
            if found:
                return found
            if vendor is not None and t.vendor is not None and t.vendor.name == vendor.name:
                return []
        return []

    def find_members(self, vendor: Optional[VendorRef] = None) -> list[ProgramMember]:
        """The nearest section's waiting members; with ``vendor``, only those stated for that vendor
        or for none: another vendor's members are not this program's."""
        for t in self.chain():
            found = [
                m
                for m in t.members
                if (vendor is None or m.vendor is None or m.vendor.name == vendor.name) and not m.handed_up
            ]
            if found:
                return found
        return []

    def all_drafts(self) -> list[Draft]:
        return self.drafts
