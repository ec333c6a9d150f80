"""Stage 2: ``Document`` → ``Statement``s (spaCy rule components + document structure).

``Extractor`` and ``extract_statements`` load spaCy, which takes about a second; they are imported
on first use (PEP 562), so commands that only read the warehouse — or a build where nothing
changed — never pay for it.
"""

from typing import TYPE_CHECKING, Any

from .model import CONTRACT_COLUMNS, ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from .api import Extraction, Extractor, extract_statements

__all__ = [
    "CONTRACT_COLUMNS",
    "ExceptionRef",
    "Extraction",
    "Extractor",
    "ProgramType",
    "Requirement",
    "Scope",
    "Segment",
    "Statement",
    "Vocabulary",
    "extract_statements",
]

_LAZY = {"Extraction", "Extractor", "extract_statements"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
