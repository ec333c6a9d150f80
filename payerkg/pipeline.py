"""The build pipeline: files → ingest → extract → warehouse (one transaction) → summary.

Unchanged documents (same sha256, extracted with the same vocabulary and extractor) are not parsed
again. Parsing and extraction run before the database is touched, so a failure there cannot leave
a half-written database; the load itself is a single transaction (see ``warehouse.store``).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
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


# -- parsing, in this process or in a pool of worker processes ----------------------------------------
_worker: dict = {}      # the extractor (spaCy pipeline) and ingest options of this process


def _init_worker(vocab: Vocabulary, options: IngestOptions) -> None:
    from extract import Extractor

    _worker.update(extractor=Extractor(vocab), vocab=vocab, options=options)


def _parse_one(path: str) -> ParsedDocument | InputError:
    """Read, parse and extract one document; an input error comes back as a value. The bytes are
    read here, not sent from the parent: a worker reads its file faster than a pipe carries it."""
    try:
        data = read_bytes(path, _worker["options"])
        doc = parse_bytes(data, path, hashlib.sha256(data).hexdigest())
        extractor = _worker["extractor"]
        extraction = extractor.extract(doc)
        return ParsedDocument(doc, extraction.payer, list(extraction.statements))
    except InputError as e:
        return e


def _parse_all(paths: list[str], vocab: Vocabulary, options: IngestOptions, workers: int,
               advance: Callable[[str], None]) -> list[ParsedDocument | InputError]:
    """Results in the order of ``paths`` whatever ``workers`` is, so every N builds the same database."""
    if not paths:
        return []
    if workers <= 1 or len(paths) == 1:
        if _worker.get("vocab") is not vocab or _worker.get("options") != options:
            _init_worker(vocab, options)
        return list(_advancing(paths, map(_parse_one, paths), advance))
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the imported modules; each worker builds its spaCy pipeline once
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx, initializer=_init_worker,
                             initargs=(vocab, options)) as pool:
        return list(_advancing(paths, pool.map(_parse_one, paths, chunksize=1), advance))


def _advancing(paths, results, advance):
    for path, result in zip(paths, results):
        advance(Path(path).name)
        yield result


def _scan(files: list[Path], loaded: dict[str, tuple[str, str]], sig: str, options: IngestOptions,
          advance: Callable[[str], None]) -> tuple[list[str], dict[str, str], list[InputError]]:
    """Which files need parsing: not those whose bytes are loaded already with the same extraction
    signature (unchanged), nor a second copy of the same bytes. Returns (to parse, unchanged, failures)."""
    todo: list[str] = []
    unchanged: dict[str, str] = {}
    failures: list[InputError] = []
    seen_ids: set[str] = set()
    for path in files:
        try:
            data = read_bytes(path, options)
        except InputError as e:
            failures.append(e)
            advance(Path(path).name)
            continue
        doc_id = hashlib.sha256(data).hexdigest()
        seen = loaded.get(doc_id)
        if seen and seen[0] == sig:
            unchanged[doc_id] = str(path)
            advance(Path(path).name)
        elif doc_id in seen_ids:
            advance(Path(path).name)
        else:
            seen_ids.add(doc_id)
            todo.append(str(path))
    return todo, unchanged, failures


def build(paths: Sequence[str | Path], db: str | Path, vocab: Vocabulary | None = None,
          options: IngestOptions | None = None, progress: Optional[Callable[[], object]] = None,
          workers: int = 1) -> BuildReport:
    """Build ``paths`` into the DuckDB file ``db``. ``progress`` is a context-manager factory
    returning an object with ``start(total)`` and ``advance(name)`` (the CLI passes a rich bar).
    ``workers`` > 1 parses and extracts in that many processes; the database is the same."""
    vocab = vocab or Vocabulary.load()
    options = options or IngestOptions.from_env()
    sig = extract_signature(vocab)
    files = expand_paths(paths)
    # the database is closed while documents are parsed: worker processes fork without its threads
    with Warehouse(db) as wh:
        loaded = wh.loaded()
    with (progress() if progress else nullcontext()) as bar:
        if bar is not None:
            bar.start(len(files))

        def advance(name: str) -> None:
            if bar is not None:
                bar.advance(name)

        todo, unchanged, failures = _scan(files, loaded, sig, options, advance)
        parsed: list[ParsedDocument] = []
        for result in _parse_all(todo, vocab, options, workers, advance):
            if isinstance(result, InputError):
                failures.append(result)
            else:
                parsed.append(result)
    for e in failures:
        _log.warning("%s", e)
    batch = LoadBatch(inputs=[str(p) for p in paths], parsed=parsed, unchanged=unchanged, failures=failures,
                      vocab=vocab, extract_sig=sig)
    with Warehouse(db) as wh:
        result = wh.load(batch)
        html = None
        if result.validation is not None:
            html = write_validation_report(wh.con, result.validation, db, validation_report_path(db))
    return BuildReport(result=result, failures=failures, files=len(files), validation_html=html)
