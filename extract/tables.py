"""Tables: each column's role from its header, each row a rule (or one per marked cell).

Columns are recognised by their headers, not by position: the service or program, who reviews
("Reviewed by", "Vendor"), the lines of business ("Lines of business", "Plans"), who is included
("Members included"), dates ("Effective", "Status"), notes, and the health plan on a vendor's
client list. A grid has one column per line of business ("Group fully insured", "Medicare
Advantage") whose cells are marks; a legend ("✔ Prior authorization is required …", "Yes = …",
"— = not part of the program") gives each mark its meaning, and footnote markers (¹ * † ‡ §)
point to notes that add exceptions, dates, conditions or a narrower scope. A contact table
("How to reach", "Phone") states no rule.

This module recognises the table and walks its rows; ``table_rows.py`` makes each row's rules and
``table_cells.py`` reads its cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ingest import Block

from .claim import Claim
from .drafts import Source
from .table_cells import qualified, topic_service
from .table_layout import TableLayout
from .table_notes import TableNotes
from .table_rows import TableRows
from .text import normalize
from .tree import Topic

if TYPE_CHECKING:
    from .walk import DocumentWalk

#: Columns whose merged cells a PDF leaves empty below their first row.
FILL_DOWN_ROLES = {"vendor", "payer", "service", "service_vendor", "category", "area", "effective"}


class TableReader(TableRows):
    def __init__(self, walk: DocumentWalk) -> None:
        self.walk = walk
        self.res = walk.res
        self.notes = TableNotes(walk)
        self.layout = TableLayout(walk)

    # -- the table -----------------------------------------------------------------------------------
    def read(self, b: Block, topic: Topic, siblings: list[Block], lead: Optional[Claim]) -> None:
        rows = [r for r in b.rows if any(c.strip() for c in r.cells)]
        if len(rows) < 2:
            return
        grid = self.layout.read(rows)
        if not grid.roles and not grid.lob_cols:
            return
        if "contact" in grid.roles.values() and not grid.lob_cols and "lob" not in grid.roles.values():
            return
        near = self._near(b)
        legend = self.notes.legend(near)
        notes = self.notes.footnotes(near, b)
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
            cells = {
                i: "\n".join(normalize(line) for line in c.split("\n") if line.strip()) for i, c in enumerate(row.cells)
            }
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
            if {"requirement", "lob"} <= set(grid.roles.values()) and not {"vendor", "service_vendor"} & set(
                grid.roles.values()
            ):
                # "Plan type | Admission type | Requirement": the payer's own requirements, plan by plan
                vendor = topic.section_vendor() or self.walk.own_reviewer()
                base = service or next(iter(self.walk.section_services(topic)), None)
                service = qualified(base, [cells.get(i, "") for i, r in grid.roles.items() if r == "qualifier"])
            if service is None and grid.lob_cols:
                continue
            payer = self._payer(cells, grid)
            if grid.lob_cols:
                self._grid_row(
                    row, raw, grid, service, vendor, src, topic, legend, notes, payer, self._qualifier(cells, grid)
                )
            else:
                one_or_more: list[Optional[str]] = list(self._services(cells, grid)) or [
                    service or topic_service(topic)
                ]
                for one in one_or_more:
                    self._plain_row(
                        cells,
                        grid,
                        one,
                        vendor,
                        src,
                        topic,
                        notes,
                        payer,
                        lead,
                        self._qualifier(cells, grid),
                    )

    def _near(self, table: Block) -> list[Block]:
        """The blocks a table's legend and notes may stand in: its own section and subsections ("Key",
        "Notes" under the table's section) and the sections enclosing it (notes at the end of a
        chapter), not a sibling section's prose (another program's "*Commercial members only")."""
        path = tuple(table.section_path)
        return [
            x
            for x in self.walk.doc.blocks
            if x is not table
            and tuple(x.section_path[:1]) == path[:1]
            and (tuple(x.section_path[: len(path)]) == path or path[: len(x.section_path)] == tuple(x.section_path))
        ]

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
