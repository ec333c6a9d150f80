"""Typed records handed to the warehouse (``LoadBatch``) and handed back (``LoadResult``)."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import duckdb

if TYPE_CHECKING:  # records named in annotations only: reading commands never import extraction's patterns
    from extract import Statement, Vocabulary
    from extract.unexplained import Mention
    from ingest import Document, InputError


@dataclass(frozen=True)
class ParsedDocument:
    """One document parsed and extracted in this build: its payer and statements, in reading order."""

    document: Document
    payer: str
    statements: Sequence[Statement]
    payer_new: bool = False
    mentions: Sequence[Mention] = ()  # sentences and rows that name a vendor but yield no rule


@dataclass(frozen=True)
class HeldDocument:
    """What the plan reads of a document (``plan.document_keys``): its id, source and title."""

    doc_id: str
    source: str
    title: str
    page_count: int


@dataclass(frozen=True)
class Held:
    """A parsed document once its rows are written: what the load plan still needs of it. Its
    statements are kept packed (pickled, compressed: 120–450 bytes a statement against ~2.7 KB as objects, on the
    seeds) and unpacked each time ``statements`` is read, since a build holds every document's."""

    document: HeldDocument
    payer: str
    packed: bytes
    count: int  # statements
    payer_new: bool = False

    @classmethod
    def of(cls, document: HeldDocument, payer: str, statements: Sequence[Statement], payer_new: bool) -> Held:
        packed = zlib.compress(pickle.dumps(tuple(statements), protocol=pickle.HIGHEST_PROTOCOL), 1)
        return cls(document, payer, packed, len(statements), payer_new)

    @property
    def statements(self) -> tuple[Statement, ...]:
        statements: tuple[Statement, ...] = pickle.loads(zlib.decompress(self.packed))
        return statements


@dataclass(frozen=True)
class LoadBatch:
    """Everything one build loads (``parsed``: whole documents, or what the plan keeps of documents
    whose rows are written already). ``unchanged`` maps the doc_id of each input whose bytes are loaded
    already (same extraction signature) to its path now; ``inputs`` are the paths as given, which
    decide what is retired (an active document under them that is no longer there). Without
    ``prune``, a load that would retire more than half of the active documents under the inputs
    is refused (``RetirementRefusedError``)."""

    inputs: Sequence[str]
    parsed: Sequence[ParsedDocument | Held]
    unchanged: Mapping[str, str]
    failures: Sequence[InputError]
    vocab: Vocabulary
    extract_sig: str
    prune: bool = False


@dataclass
class LoadResult:
    """What a load did. Counts are of documents unless named otherwise."""

    build_id: int
    parsed: int
    unchanged: int
    failed: int
    retired: int
    superseded: int
    pages: int
    rules: int  # active rules after the build
    new_rules: int  # rules loaded by this build
    new_vendors: list[str] = field(default_factory=list)
    changes: int = 0  # rule_changes rows this build recorded
    conflicts: int = 0  # rows of the conflicts view after the build
    acknowledged: int = 0  # of those, acknowledged by an analyst (conflict_reviews); the rest are open
    unexplained: int = 0  # rows of the unexplained_mentions view after the build
    unexplained_docs: int = 0  # active documents with any

    @property
    def changed(self) -> bool:
        """Whether the build changed what the views show (else validation carries the last results)."""
        return bool(self.parsed or self.retired or self.superseded)


#: Called inside the build's transaction once everything is written, before COMMIT (the pipeline
#: injects validation this way); raising rolls the build back.
BeforeCommit = Callable[[duckdb.DuckDBPyConnection, LoadResult], None]

#: Called at each step of a load (``builds``, ``documents``, ``blocks``, ``statements``,
#: ``before_commit``, ``commit``), inside the transaction; raising rolls the build back. Tests use
#: it to inject faults; it could time steps too.
OnStep = Callable[[str], None]

STEPS = ("builds", "documents", "blocks", "statements", "before_commit", "commit")


@dataclass(frozen=True)
class LoadHooks:
    before_commit: Optional[BeforeCommit] = None
    on_step: Optional[OnStep] = None

    def step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)
