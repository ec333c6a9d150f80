"""The build pipeline: files → ingest → extract → warehouse (one transaction) → summary.

Unchanged documents (same sha256, extracted with the same vocabulary and extractor) are not parsed
again. Parsing and extraction run before the database is touched, so a failure there cannot leave
a half-written database; the load itself is a single transaction (see ``warehouse.store``).
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from extract import Vocabulary
from ingest import IngestOptions, InputError, expand_paths, parse_bytes
from ingest.api import read_bytes
from warehouse import LoadBatch, LoadResult, ParsedDocument, Warehouse
from warehouse.report import write_validation_report

from . import __version__

_log = logging.getLogger(__name__)

DEFAULT_DB = "payerkg.duckdb"
DEFAULT_INPUTS = ("seeds",)


def extract_signature(vocab: Vocabulary) -> str:
    """What the statements of a document depend on besides its bytes: vocabulary and extractor."""
    return hashlib.sha256(f"{__version__}\n{vocab.model_dump_json()}".encode()).hexdigest()[:16]


@dataclass
class BuildReport:
    result: LoadResult
    failures: list[InputError] = field(default_factory=list)
    files: int = 0
    validation_html: Optional[Path] = None


def validation_report_path(db: str | Path) -> Path:
    """Where a build writes its validation report: next to the database (``payerkg.validation.html``)."""
    return Path(db).with_suffix(".validation.html")


Progress = Callable[[str, int, int], None]  # (file, done, total)


def build(paths: Sequence[str | Path], db: str | Path, vocab: Vocabulary | None = None,
          options: IngestOptions | None = None, progress: Optional[Callable[[], object]] = None) -> BuildReport:
    """Build ``paths`` into the DuckDB file ``db``. ``progress`` is a context-manager factory
    returning an object with ``start(total)`` and ``advance(name)`` (the CLI passes a rich bar)."""
    vocab = vocab or Vocabulary.load()
    options = options or IngestOptions.from_env()
    sig = extract_signature(vocab)
    files = expand_paths(paths)
    extractor = None  # built on the first document that needs parsing (spaCy load ≈ 1 s)
    with Warehouse(db) as wh:
        loaded = wh.loaded()
        parsed: list[ParsedDocument] = []
        unchanged: dict[str, str] = {}
        failures: list[InputError] = []
        with (progress() if progress else nullcontext()) as bar:
            if bar is not None:
                bar.start(len(files))
            for path in files:
                try:
                    data = read_bytes(path, options)
                    doc_id = hashlib.sha256(data).hexdigest()
                    seen = loaded.get(doc_id)
                    if seen and seen[0] == sig:
                        unchanged[doc_id] = str(path)
                    else:
                        doc = parse_bytes(data, str(path), doc_id)
                        if extractor is None:
                            from extract import Extractor
                            extractor = Extractor(vocab)
                        statements = extractor.extract(doc)
                        parsed.append(ParsedDocument(doc, extractor.payer, statements))
                except InputError as e:
                    _log.warning("%s", e)
                    failures.append(e)
                if bar is not None:
                    bar.advance(Path(path).name)
        # the same bytes under two names are one document
        seen_ids: set[str] = set()
        parsed = [p for p in parsed if not (p.document.doc_id in seen_ids or seen_ids.add(p.document.doc_id))]
        batch = LoadBatch(inputs=[str(p) for p in paths], parsed=parsed, unchanged=unchanged, failures=failures,
                          vocab=vocab, extract_sig=sig)
        result = wh.load(batch)
        html = None
        if result.validation is not None:
            html = write_validation_report(wh.con, result.validation, db, validation_report_path(db))
    return BuildReport(result=result, failures=failures, files=len(files), validation_html=html)
