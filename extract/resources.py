"""The per-vocabulary readers, built once and shared by every document walk (they hold no
per-document state, so one ``Resources`` serves any number of documents and threads of reading)."""

from __future__ import annotations

from dataclasses import dataclass

from .clauses import ClauseParser
from .lob import LobNamer
from .members import MemberReader
from .nlp import Annotator
from .services import ServiceNamer
from .vendors import VendorFinder
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class Resources:
    vocab: Vocabulary
    annotate: Annotator
    lobs: LobNamer
    clauses: ClauseParser
    members: MemberReader
    vendors: VendorFinder
    services: ServiceNamer

    @classmethod
    def build(cls, vocab: Vocabulary) -> Resources:
        annotate = Annotator(vocab)
        lobs = LobNamer(vocab, annotate)
        clauses = ClauseParser(vocab, annotate, lobs)
        return cls(
            vocab,
            annotate,
            lobs,
            clauses,
            MemberReader(vocab, annotate, lobs, clauses),
            VendorFinder(vocab, annotate),
            ServiceNamer(vocab, annotate),
        )
