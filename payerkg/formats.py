"""The output formats each command offers, defined once: closed sets as ``str`` enums (what typer
takes), the ``--format`` option built from them, and the default when none is given.

Commands that print rows (``query``, ``who``, ``conflicts``, ``extract``, ``ingest --format
summary``) print a table on a terminal and plain TSV when stdout is a file or a pipe, so
``payerkg query … | cut -f2`` works without a flag; ``--format`` always wins.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional

import typer

#: the formats every command that prints rows offers
ROWS = ("table", "tsv", "csv", "json")


class RowsFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"


class ConflictFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    md = "md"


class ExtractFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    summary = "summary"


class IngestFormat(str, Enum):
    text = "text"
    json = "json"
    summary = "summary"


class DiffFormat(str, Enum):
    md = "md"
    html = "html"
    json = "json"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    graphml = "graphml"
    json = "json"


def rows_default(fmt: Optional[Enum], terminal: bool) -> str:
    """The format to print rows in: the one asked for, else a table on a terminal and TSV otherwise."""
    if fmt is not None:
        return str(fmt.value)
    return "table" if terminal else "tsv"


def option(help: str, default_is_tty: bool = True) -> Any:
    """``--format`` / ``-f`` with ``help``; ``default_is_tty`` adds how the default is chosen."""
    tail = " Default: table on a terminal, tsv when piped." if default_is_tty else ""
    return typer.Option("--format", "-f", help=help + tail, show_default=not default_is_tty, case_sensitive=False)
