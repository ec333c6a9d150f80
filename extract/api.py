"""Stage 2's entry point: ``Document`` → ``Extraction`` (the payer and its statements).

``Extractor`` builds the vocabulary's readers once (spaCy's tokenizer and phrase matchers take
about a second); ``extract`` runs a fresh ``DocumentWalk`` per document, so one extractor serves
any number of documents and keeps no state between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest import Document

from .drafts import finish
from .model import Statement
from .payer import detect_payer
from .resources import Resources
from .unexplained import Mention, unexplained
from .vocabulary import Vocabulary
from .walk import DocumentWalk


@dataclass(frozen=True)
class Extraction:
    """What one document states: its payer (``payer_new`` when the vocabulary does not know it)
    and its statements, in reading order."""

    doc_id: str
    payer: str
    payer_new: bool
    statements: tuple[Statement, ...] = field(default=())
    #: sentences and rows that name a vendor or use delegation language but yield no rule
    unexplained: tuple[Mention, ...] = field(default=())

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    def __len__(self) -> int:
        return len(self.statements)


class Extractor:
    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or Vocabulary.load()
        self.res = Resources.build(self.vocab)
        self._known_payers = {p.name for p in self.vocab.payers}

    def extract(self, doc: Document) -> Extraction:
        payer, new = detect_payer(doc, self.res)
        walk = DocumentWalk(doc, self.res, payer)
        drafts = walk.run()
        stmts = finish(drafts, doc.doc_id, payer, new, self._known_payers, self.res.services.canonical_name, doc.blocks)
        missed = unexplained(doc, self.res, payer, drafts, walk.used, walk.consumed | walk.explained)
        return Extraction(doc.doc_id, payer, new, tuple(stmts), tuple(missed))


_EXTRACTORS: dict[int, Extractor] = {}


def extract_statements(doc: Document, vocab: Vocabulary | None = None) -> list[Statement]:
    """The statements of one document (a convenience over ``Extractor(vocab).extract(doc)``)."""
    v = vocab or Vocabulary.load()
    ex = _EXTRACTORS.get(id(v))
    if ex is None:
        ex = _EXTRACTORS[id(v)] = Extractor(v)
    return list(ex.extract(doc).statements)
