"""The public contract: the closed value sets and the columns of the tables ``extract`` hands on.

``CONTRACT`` lists the columns of the ``coverage_rules`` view (name, DuckDB type, nullability, closed
value set), ``STATEMENT_COLUMNS``, ``MENTION_COLUMNS`` and ``EXCEPTION_COLUMNS`` the stored tables
(docs/architecture.md). The closed vocabularies (scope, segment, requirement, program type) are
``str`` enums, so they are stored as plain text. The records and the row mapping that fill these
columns are in ``model.py``; the warehouse schema, the view and the validation suites are checked
against this module by tests (``tests/test_contract.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
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


# -- the contract ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a table of the contract. ``type`` is the DuckDB type as ``DESCRIBE`` prints it;
    ``values`` is the closed set of allowed values (None: open); ``derived`` columns are computed by
    the ``coverage_rules`` view rather than stored from a ``Statement`` field."""

    name: str
    type: str
    meaning: str
    nullable: bool = False
    values: Optional[tuple[str, ...]] = None
    derived: bool = False


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


BBOX_FIELDS = ("x0", "top", "x1", "bottom")
BBOX_TYPE = "STRUCT(x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE)"
EXPLAIN_TYPE = "STRUCT(slot VARCHAR, filled_by VARCHAR)[]"

#: The ``coverage_rules`` view, in column order: the public contract (docs/architecture.md).
CONTRACT: tuple[Column, ...] = (
    Column("rule_id", "VARCHAR", "deterministic id (stable across rebuilds of the same document)"),
    Column("doc_id", "VARCHAR", "sha256 of the source document"),
    Column("payer", "VARCHAR", "health plan whose members the rule covers (canonical name)"),
    Column("vendor", "VARCHAR", "canonical vendor or internal department that manages/decides"),
    Column("program_type", "VARCHAR", "utilization management or care management", values=_values(ProgramType)),
    Column("service", "VARCHAR", "service/program as stated, normalized"),
    Column("line_of_business", "VARCHAR", "line of business (trademark marks dropped)"),
    Column("segment", "VARCHAR", "funding segment of the members", values=_values(Segment)),
    Column("scope", "VARCHAR", "which of the segment's groups (none: explicitly not covered)", values=_values(Scope)),
    Column("requirement", "VARCHAR", "what the member's provider must do", values=_values(Requirement)),
    Column("exceptions", "VARCHAR[]", "canonical names of excepted employer groups / populations"),
    Column("inclusions", "VARCHAR[]", "groups explicitly named as included"),
    Column("conditions", "VARCHAR", "other qualifiers (age, setting, diagnosis, visit limits)", nullable=True),
    Column("effective_from", "DATE", "when stated", nullable=True),
    Column("page", "INTEGER", "page (PDF) or 1 (web page)"),
    Column("quote", "VARCHAR", "the exact source text the row rests on"),
    Column("quote_start", "INTEGER", "offset of the quote in documents.text", nullable=True),
    Column("quote_end", "INTEGER", "end of the quote in documents.text (exclusive)", nullable=True),
    Column(
        "bbox", BBOX_TYPE, "PDFs: the box around the quote's lines on page (PDF points); NULL elsewhere", nullable=True
    ),
    Column(
        "effective_to",
        "DATE",
        "when the rule stops: a stated end, or the effective_from of a later rule for the same payer, "
        "service, line of business and segment (a vendor switch ends the old vendor's rule)",
        nullable=True,
        derived=True,
    ),
)
CONTRACT_COLUMNS = [c.name for c in CONTRACT]

#: The ``statements`` table: the stored contract columns, then the rest of a ``Statement``'s fields
#: (``exception_refs`` go to ``EXCEPTION_COLUMNS``). The warehouse adds ``stable_id`` of its own.
STATEMENT_COLUMNS: tuple[Column, ...] = (
    *tuple(c for c in CONTRACT if not c.derived),
    Column("block_index", "INTEGER", "index of the block the quote is in"),
    Column("vendor_as_stated", "VARCHAR", "the vendor's name as the document gives it"),
    Column("vendor_new", "BOOLEAN", "the vendor is not in the vocabulary"),
    Column("payer_new", "BOOLEAN", "the payer is not in the vocabulary"),
    Column("section", "VARCHAR", "the section path the rule was read in"),
    Column("pattern", "VARCHAR", "the extraction pattern that produced the rule"),
    Column("explain", EXPLAIN_TYPE, "each slot with the text that filled it"),
)

#: The ``mentions`` table: what a document names but yields no rule from (``Extraction.unexplained``).
MENTION_COLUMNS: tuple[Column, ...] = (
    Column("doc_id", "VARCHAR", "the document"),
    Column("page", "INTEGER", "the page the text is on"),
    Column("block_index", "INTEGER", "the block it is in"),
    Column("quote_start", "INTEGER", "offset of the text in documents.text", nullable=True),
    Column("quote_end", "INTEGER", "end exclusive", nullable=True),
    Column("text", "VARCHAR", "the sentence or table row"),
    Column("why", "VARCHAR", "what it names and why no rule was read"),
)

#: The ``exceptions`` table: one row per ``ExceptionRef`` of a statement, in order.
EXCEPTION_COLUMNS: tuple[Column, ...] = (
    Column("rule_id", "VARCHAR", "the statement"),
    Column("doc_id", "VARCHAR", "its document"),
    Column("position", "INTEGER", "order among the statement's exceptions"),
    Column("group_name", "VARCHAR", "canonical name of the excepted group"),
    Column("group_number", "VARCHAR", "the group number when stated", nullable=True),
    Column("alternate_vendor", "VARCHAR", "who handles the group instead, when named", nullable=True),
    Column("quote", "VARCHAR", "the exception's text", nullable=True),
)
