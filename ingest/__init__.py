"""Stage 1: bytes → ``Document`` of structured ``Block``s (PDF, HTML, text)."""

from .api import IngestOptions, IngestOutcome, expand_paths, ingest_file, ingest_paths, parse_bytes
from .errors import InputError, PayerkgError
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
