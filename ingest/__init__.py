"""Stage 1: bytes → ``Document`` of structured ``Block``s (PDF, HTML, text).

The errors are imported with the package; the parser and the data model on first use (PEP 562), so
what only needs ``PayerkgError`` (every command's error handling, the warehouse) does not load them.
"""

from typing import TYPE_CHECKING, Any

from .errors import InputError, PayerkgError

if TYPE_CHECKING:
    from .api import IngestOptions, IngestOutcome, expand_paths, ingest_file, ingest_paths, parse_bytes
    from .model import Block, BlockKind, Document, LineBox, MediaType, TableRow

__all__ = [
    "Block",
    "BlockKind",
    "Document",
    "IngestOptions",
    "IngestOutcome",
    "InputError",
    "LineBox",
    "MediaType",
    "PayerkgError",
    "TableRow",
    "expand_paths",
    "ingest_file",
    "ingest_paths",
    "parse_bytes",
]

_LAZY = {
    **dict.fromkeys(
        ("IngestOptions", "IngestOutcome", "expand_paths", "ingest_file", "ingest_paths", "parse_bytes"), "api"
    ),
    **dict.fromkeys(("Block", "BlockKind", "Document", "LineBox", "MediaType", "TableRow"), "model"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
