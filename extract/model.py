"""Typed records handed from ``extract`` to ``graph`` and ``warehouse``.

A ``Statement`` is one vendor × service × line of business × segment fact with exactly the fields
of the ``coverage_rules`` contract plus its provenance. Statements are frozen and hashable, so
dedupe, conflicts and diffs are set operations. Invariants:

* ``quote`` occurs verbatim in the document text on ``page``;
* ``exceptions`` are canonical names, sorted; ``exception_refs`` carry their detail;
* ``rule_id`` is a hash of canonical content (not of block positions), so it is stable across
  rebuilds and when unrelated blocks move.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Optional


class Scope(str, Enum):
    ALL = "all"
    MOST = "most"
    SELECT = "select"
    SOME = "some"
    ONLY = "only"
    NONE = "none"


class Segment(str, Enum):
    FULLY_INSURED = "fully_insured"
    SELF_FUNDED = "self_funded"
    INDIVIDUAL = "individual"
    GROUP = "group"
    ALL = "all"


class Requirement(str, Enum):
    PRIOR_AUTHORIZATION = "prior_authorization"
    PRECERTIFICATION = "precertification"
    NOTIFICATION = "notification"
    NOT_REQUIRED = "not_required"
    CARE_MANAGEMENT = "care_management"


class ProgramType(str, Enum):
    UTILIZATION_MANAGEMENT = "utilization_management"
    CARE_MANAGEMENT = "care_management"


@dataclass(frozen=True, order=True)
class ExceptionRef:
    """An excepted group/population; ``alternate_vendor`` when the text names who handles it."""

    name: str
    group_number: Optional[str] = None
    alternate_vendor: Optional[str] = None
    quote: str = ""


@dataclass(frozen=True)
class Statement:
    doc_id: str
    payer: str
    vendor: str
    program_type: ProgramType
    service: str
    line_of_business: str
    segment: Segment
    scope: Scope
    requirement: Requirement
    page: int
    quote: str
    block_index: int
    exceptions: tuple[str, ...] = ()
    inclusions: tuple[str, ...] = ()
    conditions: Optional[str] = None
    effective_from: Optional[date] = None
    vendor_as_stated: str = ""
    vendor_new: bool = False
    exception_refs: tuple[ExceptionRef, ...] = ()
    section: str = ""
    pattern: str = ""
    payer_new: bool = False
    quote_start: int = field(default=-1, compare=False)   # offsets of the quote in the document text
    quote_end: int = field(default=-1, compare=False)
    bbox: Optional[tuple[float, float, float, float]] = field(default=None, compare=False)  # PDF: x0, top, x1, bottom
    explain: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # slot → the text that filled it
    rule_id: str = field(default="", compare=False)

    def identity(self) -> dict:
        """The canonical content the rule id hashes."""
        return {
            "doc_id": self.doc_id, "payer": self.payer, "vendor": self.vendor, "service": self.service,
            "line_of_business": self.line_of_business, "segment": self.segment.value,
            "scope": self.scope.value, "conditions": self.conditions, "quote": " ".join(self.quote.split()),
        }

    def with_id(self) -> "Statement":
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        object.__setattr__(self, "rule_id", digest[:20])
        return self

    def contract_row(self) -> dict:
        """The ``coverage_rules`` columns, in contract order."""
        return {
            "rule_id": self.rule_id, "doc_id": self.doc_id, "payer": self.payer, "vendor": self.vendor,
            "program_type": self.program_type.value, "service": self.service,
            "line_of_business": self.line_of_business, "segment": self.segment.value,
            "scope": self.scope.value, "requirement": self.requirement.value,
            "exceptions": list(self.exceptions), "inclusions": list(self.inclusions),
            "conditions": self.conditions,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "page": self.page, "quote": self.quote,
        }


CONTRACT_COLUMNS = ["rule_id", "doc_id", "payer", "vendor", "program_type", "service", "line_of_business",
                    "segment", "scope", "requirement", "exceptions", "inclusions", "conditions",
                    "effective_from", "page", "quote"]
