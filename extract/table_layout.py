"""A table's layout: how many header rows it has, and each column's role read from its header —
the service or program, who reviews, the lines of business, who is included, dates, notes, the
health plan on a vendor's client list — or, for a grid, the line of business a column of marks
(or of reviewers' names) stands for. Roles come from header words, never from positions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ingest.model import TableRow as Row

from .patterns import CONTACT_HEADER_RE
from .prefilter import prefilter_module
from .table_notes import MARK_RE
from .text import normalize

if TYPE_CHECKING:
    from .walk import DocumentWalk

ROLE_PATTERNS = [
    # "Who to contact for prior authorization": whom the requests go to, the reviewer (before "contact")
    (
        "vendor",
        re.compile(
            r"\b(?:who|whom|where)\s+to\s+(?:contact|call|send|submit)\b.*\b(?:authori[sz]ation|approval|"
            r"precertification|pre-?certification|review|requests?)\b",
            re.I,
        ),
    ),
    ("contact", CONTACT_HEADER_RE),
    ("area", re.compile(r"\bservice\s+areas?\b|\bprefix(?:es)?\b|\bcounty|\bcounties|\bzip\b", re.I)),
    ("payer", re.compile(r"\b(?:health\s+plans?|payers?|clients?|customers?|insurers?|carriers?|plan\s+name)\b", re.I)),
    (
        "vendor",
        re.compile(
            r"\breview(?:ed)?\s*by\b|\breviewers?\b|\bvendors?\b|\bmanaged\s+by\b|\bcompany\b|"
            r"\bhandled\s+by\b|\bdelegated\s+to\b|\bwho\s+(?:reviews|manages)\b|\badministrator\b",
            re.I,
        ),
    ),
    (
        "qualifier",
        re.compile(
            r"\b(?:admission|visit|stay|setting|care|case|level\s+of\s+care)\s+type\b|"
            r"\btype\s+of\s+(?:admission|visit|stay|care)\b",
            re.I,
        ),
    ),
    (
        "members",
        re.compile(r"\bmembers?\b|\bwho\s+is\s+included\b|\bincluded\b|\beligib|\bpopulations?\b|\bgroups?\b", re.I),
    ),
    (
        "lob",
        re.compile(
            r"\blines?\s+of\s+business\b|^\s*plans?\s*$|\bplan\s+types?\b|\bproducts?\b|\blob\b|"
            r"\bmembership\b|\bcoverage\s+type\b|/\s*plan\s*$|\bplans\b|\bbenefit\s+plans?\b|\bplan\s*$",
            re.I,
        ),
    ),
    ("effective", re.compile(r"\beffective\b|\bstart\b|\bbegin|\bdates?\b|\bas\s+of\b", re.I)),
    ("status", re.compile(r"\bstatus\b", re.I)),
    ("requirement", re.compile(r"\brequire|\bauthori[sz]ation\b|\bprior\s+auth", re.I)),
    (
        "notes",
        re.compile(r"\bnotes?\b|\bcomments?\b|\bdetails\b|\bexclusions?\b|\bexceptions?\b|\bconditions?\b", re.I),
    ),
    (
        "state",
        re.compile(
            r"^\s*states?\s*$|\bregions?\b|\bmarkets?\b|\bservice\s+areas?\b|\bcounty|\bcounties|"
            r"\bprefix(?:es)?\b|\bzip\b",
            re.I,
        ),
    ),
    (
        "service",
        re.compile(
            r"\bprograms?\b|\bservices?\b|\bprocedures?\b|\bbenefits?\b|\btests?\b|\bdrugs?\b|"
            r"\btherap|\bmodalit|\bcategory\b|\btype\s+of\s+service\b",
            re.I,
        ),
    ),
]


@dataclass
class Grid:
    roles: dict[int, str] = field(default_factory=dict)
    lob_cols: dict[int, str] = field(default_factory=dict)
    header_rows: int = 0


class TableLayout:
    def __init__(self, walk: DocumentWalk) -> None:
        self.walk = walk
        self.res = walk.res

    def read(self, rows: Sequence[Row]) -> Grid:
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
            marks = sum(
                1
                for c in body
                if MARK_RE.match(c) or not c or self.res.vendors.label(c.split("\n")[0], self.walk.payer) is not None
            )
            if body and marks >= max(1, len(body) * 0.6) and self.lob_header(texts[-1] if texts else ""):
                grid.lob_cols[i] = texts[-1]
                continue
            last = texts[-1] if texts else ""
            for role, rx in ROLE_PATTERNS:
                if rx.search(last) or (role != "members" and rx.search(head)):
                    if role == "service" and "service" in grid.roles.values():
                        prev = next(k for k, v in grid.roles.items() if v == "service")
                        if re.search(r"\bservice|\bprocedure", last, re.I) and not re.search(
                            r"\bservice|\bprocedure", texts[-1] if texts else "", re.I
                        ):
                            break
                        if re.search(r"\bservice|\bprocedure", last, re.I):
                            grid.roles[prev] = "category"
                        else:
                            break
                    if re.search(r"program\s+and\s+reviewer|service\s+and\s+vendor", last, re.I):
                        role = "service_vendor"
                    grid.roles[i] = role
                    break
        return grid

    def lob_header(self, text: str) -> bool:
        return self.res.members.lobish(text, strict=True) or bool(self.res.lobs.segments_in(text))


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
