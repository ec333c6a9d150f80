"""The ``Claim``: what one sentence says about who manages what for whom — a partial rule whose
missing slots the walk fills from the sentence's context. ``prose.py`` reads a sentence into one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .drafts import VendorRef
from .members import Member
from .model import Requirement, Scope


@dataclass
class Claim:
    """A partial rule read from one sentence; offsets are into the block text."""

    start: int
    end: int
    vendor: Optional[VendorRef] = None
    old_vendor: Optional[VendorRef] = None  # "from A to B": A stops
    services: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    effective: Optional[date] = None
    requirement: Optional[Requirement] = None
    negated: bool = False  # the vendor does not / no longer manage it
    ended: bool = False  # the program ends: the vendor's rule becomes scope none
    continues: bool = False
    lead: Optional[str] = None  # "services" | "members" | "excluded": a list follows
    membership_only: bool = False  # "The program applies to …": members for the context's program
    not_required: bool = False
    cancel: bool = False  # "Neither company reviews prior authorization": the sentence before gives no rule
    cues: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    text: str = ""
    payer_requires: bool = False  # "Precertification is required for …": no one named reviews it
    excluded: list = field(default_factory=list)  # people left out: "Children in foster care … are not part of …"
    scope_hint: Optional[Scope] = None  # "For most plans, …": a scope with no line of business
    partners: list[VendorRef] = field(default_factory=list)  # "through A and B": B shares A's rules

    @property
    def delegates(self) -> bool:
        return self.vendor is not None
