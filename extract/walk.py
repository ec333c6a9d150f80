"""The walk over a document's context tree: one ``DocumentWalk`` per document (re-entrant; the
shared ``Resources`` hold no document state).

Each section is read in order: its heading sets the topic (vendor, service, line of business,
what its lists enumerate), its paragraphs are read sentence by sentence into claims, its lists
and tables by their own readers. A claim or item that states every slot becomes a rule at once;
one that states only members ("The program applies to …") or only services ("… for the
services below:") waits in its section's topic. When a section closes, what waits is paired —
services × members, under the section's vendor — or handed up to the enclosing section, so that
an FAQ's "Which members…" and "Which services…" answers, or a deck's "Program overview" and
"Applicable memberships" slides, meet in the section they share.

Headings are read by ``headings.py``; paragraphs by ``paragraphs.py``, and what each sentence's
claim does by ``applying.py``; lists by ``lists.py``; tables by ``tables.py``. Each step is a mixin
of ``DocumentWalk`` typed against ``walk_state.WalkState``.
"""

from __future__ import annotations

import logging
from typing import Optional

from ingest import Block, BlockKind, Document

from .applying import Applying
from .claim import Claim
from .drafts import Draft, VendorRef
from .emitting import Emitting
from .headings import Headings
from .lob import Lob
from .owned import OwnRequirements
from .pairing import Pairing
from .paragraphs import Paragraphs
from .patterns import EXCEPT_RE, NUMBERING_RE, SKIP_HEADING_RE
from .profiles import ProgramProfiles
from .prose import ProseReader
from .resources import Resources
from .text import normalize
from .tree import Section, Topic, build_tree

_log = logging.getLogger(__name__)


class DocumentWalk(Paragraphs, Applying, Headings, OwnRequirements, Emitting, Pairing, ProgramProfiles):
    def __init__(self, doc: Document, res: Resources, payer: str):
        self.doc = doc
        self.res = res
        self.payer = payer
        self.prose = ProseReader(res)
        self.drafts: list[Draft] = []
        self.consumed: set[int] = set()
        self.used: set[tuple[int, int]] = set()  # (block, sentence start) of sentences that informed the walk
        self.explained: set[int] = set()  # blocks read whole as labels or legends
        self._heading_vendors: dict[
            str, Optional[VendorRef]
        ] = {}  # blocks read already as part of another (a table's footnotes)
        self.lob_hint: Optional[Lob] = None  # the line a list item read as prose stands under
        from .lists import ListReader
        from .tables import TableReader

        self.lists = ListReader(self)
        self.tables = TableReader(self)

    # -- the walk ------------------------------------------------------------------------------------
    def run(self) -> list[Draft]:
        root = build_tree(self.doc)
        topic = Topic(None)
        self.section(root, topic)
        self.close(topic, final=True)
        return self.drafts

    def section(self, sec: Section, topic: Topic) -> None:
        if sec.heading is not None:
            self.heading(sec.heading, topic)
        skip = sec.heading is not None and SKIP_HEADING_RE.match(
            NUMBERING_RE.sub("", normalize(sec.heading.text)).strip(" :.")
        )
        run: list[Block] = []
        for item in [*sec.items, None]:
            if isinstance(item, Block):
                run.append(item)
                continue
            if run and not skip:
                self.blocks(run, topic)
            run = []
            if item is not None:
                sub = Topic(topic, heading=item.heading.text if item.heading else "")
                self.section(item, sub)
                self.close(sub)

    def blocks(self, blocks: list[Block], topic: Topic) -> None:
        i = 0
        lead: Optional[Claim] = None
        while i < len(blocks):
            b = blocks[i]
            if b.index in self.consumed:
                i += 1
                continue
            if b.kind is BlockKind.LIST_ITEM:
                j = i
                run: list[Block] = []
                while (
                    j < len(blocks)
                    and blocks[j].index not in self.consumed
                    and (
                        blocks[j].kind is BlockKind.LIST_ITEM
                        or (blocks[j].kind is BlockKind.PARAGRAPH and EXCEPT_RE.match(normalize(blocks[j].text)))
                    )
                ):
                    run.append(blocks[j])
                    j += 1
                self.lists.read(run, topic, lead, blocks)
                lead = None
                i = j
                continue
            if b.kind is BlockKind.TABLE:
                self.tables.read(b, topic, blocks, lead)
                lead = None
            elif b.kind in (BlockKind.PARAGRAPH, BlockKind.CAPTION):
                lead = self.paragraph(b, topic, blocks)
            i += 1
