"""Turn a stream of typed pieces (headings, paragraphs, list items, tables) into a ``Document``.

Every parser (PDF, HTML, text) feeds a ``DocumentBuilder``; the builder owns the two rules that
must not differ between media:

* the section path: a heading closes every open heading at its level or deeper;
* continuation: a heading such as "Resources, continued" re-opens the section it continues
  instead of starting a new one, and "(Continued on next page)" lines are not content.

It also computes offsets so that ``document.text[block.start:block.end] == block.text``.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .model import Block, BlockKind, Document, MediaType, TableRow, table_text

#: "Resources, continued", "Eligibility (continued)", "Scope – cont'd"
CONTINUED_HEADING_RE = re.compile(
    r"\s*(?:[,–—-]\s*|\(\s*)(?:continued|cont['’]?d)\s*\)?\s*$", re.IGNORECASE
)
#: A line that only announces a page break: "(Continued on next page)", "Continued on page 4".
CONTINUED_LINE_RE = re.compile(
    r"^\(?\s*(?:continued|cont['’]?d)\s+(?:on|from)\s+(?:the\s+)?(?:next|previous|following|page)"
    r"(?:\s+page)?(?:\s+\d+)?\s*\)?\.?$",
    re.IGNORECASE,
)
#: Two heading texts this similar (difflib ratio, after lower-casing) name the same section;
#: 0.85 tolerates trademark marks and punctuation ("BlueSM" vs "Blue") but not a new title.
SAME_HEADING_RATIO = 0.85

WS_RE = re.compile(r"[ \t\u00a0]+")


def clean_inline(text: str) -> str:
    """Collapse runs of spaces (not newlines) and strip."""
    return WS_RE.sub(" ", text).strip()


def is_continuation_line(text: str) -> bool:
    return bool(CONTINUED_LINE_RE.match(text.strip()))


def _norm_heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class DocumentBuilder:
    """Collects blocks in reading order; call ``build`` once at the end."""

    def __init__(self) -> None:
        self._blocks: list[Block] = []
        self._stack: list[tuple[int, str]] = []  # (level, text) of open headings
        self._headings: list[tuple[int, str]] = []  # every heading seen, for continuations
        self._parts: list[str] = []
        self._offset = 0

    # -- section path ---------------------------------------------------------------------
    @property
    def section_path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self._stack)

    def _reopen(self, stripped: str, level: int) -> bool:
        """Re-open the earlier heading that ``stripped`` continues; True if one was found."""
        key = _norm_heading(stripped)
        for lvl, text in reversed(self._headings):
            if SequenceMatcher(None, key, _norm_heading(text)).ratio() >= SAME_HEADING_RATIO:
                self._close(lvl)
                self._stack.append((lvl, text))
                return True
        return False

    def _close(self, level: int) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()

    # -- adding pieces ---------------------------------------------------------------------
    def _append(self, block_kwargs: dict) -> Block:
        text = block_kwargs["text"]
        if self._parts:
            self._offset += 1  # the "\n" joining blocks
        start = self._offset
        self._parts.append(text)
        self._offset += len(text)
        block = Block(index=len(self._blocks), start=start, end=self._offset, **block_kwargs)
        self._blocks.append(block)
        return block

    def heading(self, text: str, level: int, page: int, bold=()) -> Block | None:
        """Add a heading; returns None when it only continues an earlier section."""
        text = clean_inline(text)
        if not text:
            return None
        m = CONTINUED_HEADING_RE.search(text)
        if m and m.start() > 0 and self._reopen(text[: m.start()], level):
            return None
        self._close(level)
        block = self._append(
            dict(kind=BlockKind.HEADING, text=text, page=page, section_path=self.section_path,
                 level=level, bold=tuple(bold))
        )
        self._stack.append((level, text))
        self._headings.append((level, text))
        return block

    def block(self, kind: BlockKind, text: str, page: int, level: int = 0, bold=()) -> Block | None:
        if kind is BlockKind.HEADING:
            raise ValueError("use heading() for headings")
        text = text.strip()
        if not text or is_continuation_line(text):
            return None
        return self._append(
            dict(kind=kind, text=text, page=page, section_path=self.section_path, level=level,
                 bold=tuple(bold))
        )

    def table(self, rows: list[TableRow]) -> Block | None:
        rows = [r for r in rows if any(c.strip() for c in r.cells)]
        if not rows:
            return None
        rows_t = tuple(rows)
        return self._append(
            dict(kind=BlockKind.TABLE, text=table_text(rows_t), page=rows_t[0].page,
                 section_path=self.section_path, rows=rows_t)
        )

    @property
    def last(self) -> Block | None:
        return self._blocks[-1] if self._blocks else None

    def extend_table(self, rows: list[TableRow]) -> None:
        """Append rows to the last block, which must be a table (a table continued on a new page)."""
        last = self._blocks.pop()
        self._parts.pop()
        self._offset = last.start - (1 if self._parts else 0)
        merged = list(last.rows) + [r for r in rows if any(c.strip() for c in r.cells)]
        self._append(
            dict(kind=BlockKind.TABLE, text=table_text(tuple(merged)), page=last.page,
                 section_path=last.section_path, rows=tuple(merged))
        )

    def build(self, *, doc_id: str, source: str, media_type: MediaType, page_count: int,
              size_bytes: int, fallback_title: str, warnings=()) -> Document:
        title = next((b.text for b in self._blocks if b.kind is BlockKind.HEADING), fallback_title)
        return Document(
            doc_id=doc_id, source=source, media_type=media_type, title=title,
            page_count=page_count, blocks=tuple(self._blocks), text="\n".join(self._parts),
            size_bytes=size_bytes, warnings=tuple(warnings),
        )
