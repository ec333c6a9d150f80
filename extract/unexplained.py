"""What the extractor read but could not turn into a rule: sentences and table rows that name a
vendor or use delegation language and yet no rule rests on them. An analyst reviewing a new
document reads these first ("names Acme Review but states no service or members").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest import Block, BlockKind, Document

from .drafts import Draft
from .patterns import ACTIVE_RE, AUTH_WORD_RE, CONTRACT_RE, PASSIVE_RE, TRANSITION_RE, VERB_RE
from .text import sentences

if TYPE_CHECKING:
    from .resources import Resources

#: A text this short without a verb is a title or a name, not a statement.
NAME_ONLY_WORDS = 4
#: Longest text kept for one mention (a table row or sentence can run long).
MENTION_MAX_CHARS = 400


@dataclass(frozen=True)
class Mention:
    """A sentence or table row the extractor could not use: where it stands and why."""

    page: int
    block_index: int
    text: str
    why: str
    start: int = 0
    end: int = 0


def unexplained(
    doc: Document,
    res: Resources,
    payer: str,
    drafts: list[Draft],
    used: set[tuple[int, int]],
    explained_blocks: set[int],
) -> list[Mention]:
    """Sentences and rows of ``doc`` that name a vendor or use delegation language, that no draft
    quotes and that told the walk nothing (``used``); blocks read whole as legends, labels or
    footnotes (``explained_blocks``) are skipped."""
    covered: dict[int, list[tuple[int, int]]] = {}
    for d in drafts:
        covered.setdefault(d.source.block.index, []).append((d.source.start, d.source.end))
    out: list[Mention] = []
    for b in doc.blocks:
        if b.kind is BlockKind.HEADING or not b.text.strip() or b.index in explained_blocks:
            continue
        if b.kind is BlockKind.TABLE:
            spans = _row_spans(b)
        else:
            spans = sentences(b.text)
        for a, e in spans:
            if (b.index, a) in used or any(x < e and a < y for x, y in covered.get(b.index, [])):
                continue
            if len(b.text[a:e].split()) <= NAME_ONLY_WORDS and not VERB_RE.search(b.text[a:e]):
                continue  # a name alone ("Zephyr", "About Acme Review"): a title, not a statement
            why = _why(b.text[a:e], res, payer, b.kind is BlockKind.TABLE)
            if why:
                out.append(Mention(b.page, b.index, b.text[a:e][:MENTION_MAX_CHARS], why, a, e))
    return out


def _row_spans(b: Block) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for r in b.rows:
        line = " | ".join(r.cells)
        at = b.text.find(line, pos)
        if at >= 0:
            out.append((at, at + len(line)))
            pos = at + len(line)
    return out


def _why(text: str, res: Resources, payer: str, row: bool) -> str:
    ann = res.annotate(text)
    vendors = [m.canonical for m in ann.of("VENDOR")]
    delegation = bool(
        PASSIVE_RE.search(text)
        or CONTRACT_RE.search(text)
        or TRANSITION_RE.search(text)
        or (ACTIVE_RE.search(text) and AUTH_WORD_RE.search(text))
    )
    if vendors:
        where = "a table row" if row else "a sentence"
        return f"{where} names {vendors[0]} but no rule was read from it"
    if delegation and not row and AUTH_WORD_RE.search(text):
        return "delegation language, but no vendor, service or members were found"
    return ""
