"""Stage 2: ``Document`` → ``Statement``s (spaCy rule components + document structure)."""

from .model import CONTRACT_COLUMNS, ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement
from .rules import Extractor, extract_statements
from .vocabulary import Vocabulary

__all__ = ["CONTRACT_COLUMNS", "ExceptionRef", "Extractor", "ProgramType", "Requirement", "Scope", "Segment",
           "Statement", "Vocabulary", "extract_statements"]
