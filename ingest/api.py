"""Entry points of the ingest stage: one file → ``Document``; many paths → outcomes."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .detect import detect
from .errors import InputError, input_error
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES
from .model import Document, MediaType, sha256_bytes

_log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".html", ".htm", ".xhtml", ".txt", ".md", ".markdown")


@dataclass(frozen=True)
class IngestOptions:
    """Settings of the ingest stage. ``max_bytes`` (file size, E102) and ``max_pages`` (PDF
    pages, E141) must be positive."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        if self.max_pages <= 0:
            raise ValueError("max_pages must be positive")

    @classmethod
    def from_env(cls) -> IngestOptions:
        """Defaults, overridden by ``PAYERKG_MAX_BYTES`` and ``PAYERKG_MAX_PAGES`` when set."""
        env = {"max_bytes": "PAYERKG_MAX_BYTES", "max_pages": "PAYERKG_MAX_PAGES"}
        return cls(**{k: int(os.environ[v]) for k, v in env.items() if os.environ.get(v)})


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input file: a document, or the error that stopped it."""

    path: str
    document: Document | None
    error: InputError | None

    @property
    def ok(self) -> bool:
        return self.document is not None


def read_bytes(path: str | Path, options: IngestOptions) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise input_error(path, "E100", e.strerror or str(e)) from e
    if size > options.max_bytes:
        raise input_error(path, "E102", f"{size:,} bytes > limit {options.max_bytes:,}")
    try:
        return p.read_bytes()
    except OSError as e:
        raise input_error(path, "E100", e.strerror or str(e)) from e


def parse_bytes(
    data: bytes,
    source: str,
    doc_id: str | None = None,
    options: IngestOptions | None = None,
    pdf_pages: list[Any] | None = None,
) -> Document:
    """Parse bytes whose format is detected from content. Raises ``InputError``.

    ``options`` supplies the page limit (the size limit is checked by ``read_bytes``). ``pdf_pages``:
    a PDF's pages read already, in ranges (``ingest.pdf.read_pdf_pages``, e.g. on several machines)."""
    options = options or IngestOptions()
    media, warnings = detect(data, source)
    doc_id = doc_id or sha256_bytes(data)
    if media is MediaType.PDF:
        from .pdf import parse_pdf

        doc = parse_pdf(data, source, doc_id, max_pages=options.max_pages, pages=pdf_pages)
    else:
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        if media is MediaType.HTML:
            from .html import parse_html

            doc = parse_html(text, source, doc_id, len(data))
        else:
            from .text import parse_text

            doc = parse_text(text, source, doc_id, len(data))
            if not doc.blocks:
                raise input_error(source, "E130", "no text")
    if warnings:
        doc = replace(doc, warnings=doc.warnings + tuple(warnings))
    return doc


def ingest_file(path: str | Path, options: IngestOptions | None = None) -> Document:
    options = options or IngestOptions()
    data = read_bytes(path, options)
    return parse_bytes(data, str(path), options=options)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus supported files found (recursively, sorted) in directories.

    In a directory, a ``.txt`` conversion next to a same-named ``.pdf``/``.html`` is skipped: it is
    the same document in another medium and would be counted twice.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and f.name.lower() != "readme.md"
            )
            stems_with_original = {f.with_suffix("") for f in files if f.suffix.lower() in (".pdf", ".html", ".htm")}
            out.extend(
                f
                for f in files
                if not (f.suffix.lower() in (".txt", ".md") and f.with_suffix("") in stems_with_original)
            )
        else:
            out.append(p)
    return out


def ingest_paths(paths: Iterable[str | Path], options: IngestOptions | None = None) -> Iterator[IngestOutcome]:
    """Ingest every file; a bad file yields an outcome with its error and the batch goes on."""
    options = options or IngestOptions()
    for path in expand_paths(paths):
        try:
            yield IngestOutcome(str(path), ingest_file(path, options), None)
        except InputError as e:
            _log.warning("%s", e)
            yield IngestOutcome(str(path), None, e)
