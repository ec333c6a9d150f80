"""Documents and statements made by hand, for warehouse tests that must not depend on extraction.

A ``Memo`` is a small markdown document (parsed by ingest, which is fast and needs no spaCy) and the
statements we say it makes, each quoting one of its lines with the right offsets. ``batch`` wraps
memos into the ``LoadBatch`` a build would hand the warehouse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

from conftest import DATA
from extract import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement, Vocabulary
from ingest import Document, parse_bytes
from warehouse import LoadBatch, ParsedDocument

PAYER = "Northwind Health Plan"
VOCAB_PATH = DATA / "conflicts" / "vocab.yml"


def vocab() -> Vocabulary:
    return Vocabulary.load(VOCAB_PATH)


@dataclass(frozen=True)
class Line:
    """One line of a memo and the rule it states."""

    text: str
    vendor: str = "Zephyr Care Partners"
    service: str = "genetic testing"
    line_of_business: str = "Commercial PPO"
    segment: Segment = Segment.FULLY_INSURED
    scope: Scope = Scope.ALL
    requirement: Requirement = Requirement.PRIOR_AUTHORIZATION
    exceptions: tuple[str, ...] = ()
    inclusions: tuple[str, ...] = ()
    effective_from: Optional[date] = None
    alternate: Optional[str] = None  # who handles the (first) excepted group instead


@dataclass(frozen=True)
class Memo:
    title: str
    lines: Sequence[Line]
    payer: str = PAYER
    source: str = "memo.md"
    extra: str = ""  # more text, to make different bytes with the same rules

    @property
    def text(self) -> str:
        body = "\n".join(f"- {ln.text}" for ln in self.lines)
        return f"# {self.title}\n\n{body}\n{self.extra}"

    def document(self, folder: Path | None = None) -> Document:
        data = self.text.encode("utf-8")
        source = str(folder / self.source) if folder else self.source
        return parse_bytes(data, source, hashlib.sha256(data).hexdigest())

    def write(self, folder: Path) -> Path:
        path = folder / self.source
        path.write_text(self.text, encoding="utf-8")
        return path

    def parsed(self, folder: Path | None = None) -> ParsedDocument:
        doc = self.document(folder)
        return ParsedDocument(doc, self.payer, tuple(statements(doc, self.payer, self.lines)))


def statements(doc: Document, payer: str, lines: Iterable[Line]) -> list[Statement]:
    out = []
    for ln in lines:
        block = next(b for b in doc.blocks if b.text == ln.text)
        start = doc.text.index(ln.text)
        refs = tuple(
            ExceptionRef(g, None, ln.alternate if i == 0 else None, ln.text) for i, g in enumerate(ln.exceptions)
        )
        out.append(
            Statement(
                doc_id=doc.doc_id,
                payer=payer,
                vendor=ln.vendor,
                program_type=ProgramType.UTILIZATION_MANAGEMENT,
                service=ln.service,
                line_of_business=ln.line_of_business,
                segment=ln.segment,
                scope=ln.scope,
                requirement=ln.requirement,
                page=block.page,
                quote=ln.text,
                block_index=block.index,
                exceptions=tuple(sorted(ln.exceptions)),
                inclusions=tuple(sorted(ln.inclusions)),
                effective_from=ln.effective_from,
                vendor_as_stated=ln.vendor,
                exception_refs=refs,
                section=doc.title or "",
                pattern="hand-made",
                quote_start=start,
                quote_end=start + len(ln.text),
            ).with_id()
        )
    return out


@dataclass
class Corpus:
    """A folder of memos, built into a database by handing the warehouse hand-made batches."""

    folder: Path
    memos: dict[str, Memo] = field(default_factory=dict)

    def put(self, memo: Memo) -> None:
        self.memos[memo.source] = memo
        memo.write(self.folder)

    def drop(self, source: str) -> None:
        del self.memos[source]
        (self.folder / source).unlink()

    def batch(self, loaded: Iterable[str] = (), signature: str = "hand-made") -> LoadBatch:
        """The batch a build of the folder gives: documents whose doc_id is in ``loaded`` are unchanged."""
        loaded = set(loaded)
        parsed, unchanged = [], {}
        for memo in self.memos.values():
            p = memo.parsed(self.folder)
            if p.document.doc_id in loaded:
                unchanged[p.document.doc_id] = p.document.source
            else:
                parsed.append(p)
        return LoadBatch(
            inputs=[str(self.folder)],
            parsed=parsed,
            unchanged=unchanged,
            failures=[],
            vocab=vocab(),
            extract_sig=signature,
        )


SPRING = Memo(
    "Northwind provider bulletin",
    [
        Line(
            "Commercial PPO — All fully insured groups — Exceptions: Contoso Steel Retirees",
            exceptions=("Contoso Steel Retirees",),
            alternate="Quillon Health Partners",
        ),
        Line("Commercial PPO — Most self-funded groups", segment=Segment.SELF_FUNDED, scope=Scope.MOST),
        Line("Medicare Choice — All groups", line_of_business="Medicare Choice", segment=Segment.GROUP),
        Line(
            "Commercial PPO — Select self-funded groups — Includes Contoso Steel Retirees",
            vendor="Quillon Health Partners",
            service="sleep studies",
            segment=Segment.SELF_FUNDED,
            scope=Scope.SELECT,
            inclusions=("Contoso Steel Retirees",),
        ),
    ],
    source="bulletin.md",
)

SOUTHBAY = Memo(
    "Southbay provider news",
    [
        Line("Commercial PPO — Some fully insured groups", scope=Scope.SOME),
    ],
    payer="Southbay Health",
    source="southbay.md",
)
