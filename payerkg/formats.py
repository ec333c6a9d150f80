"""The output formats each command offers: closed sets, as ``str`` enums (what typer takes)."""

from __future__ import annotations

from enum import Enum


class IngestFormat(str, Enum):
    text = "text"
    json = "json"
    summary = "summary"


class ExtractFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"
    summary = "summary"


class RowsFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ConflictFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"


class DiffFormat(str, Enum):
    md = "md"
    html = "html"
    json = "json"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"
    graphml = "graphml"
    json = "json"
