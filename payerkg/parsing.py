"""Files → parsed and extracted documents, each in a worker process where it can be stopped
(``payerkg.workers``).

Each file is read and hashed here first: a document whose bytes are loaded already with the same
extraction signature comes back as ``Unchanged`` without a worker or a parse, so a build where
nothing changed starts no process.
Whatever goes wrong with one document comes back as ``Failed`` with a code, and the batch goes on:
ingest's input errors (E1xx), a PDF over the page limit (E141), a structure nested too deeply or too
large for the worker's memory (E142), a document still running at the time limit (E140, its worker
killed and replaced), a defect (E150, with its traceback for the build's log). Results come in the
order of the paths whatever the number of workers, so every worker count builds the same database.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from extract import Vocabulary
from ingest import IngestOptions, InputError, parse_bytes
from ingest.api import read_bytes
from ingest.errors import input_error
from warehouse import ParsedDocument

from . import logs, quiet, workers
from .config import BuildConfig
from .errors import INTERNAL, PAGE_LIMIT, STRUCTURE_LIMIT, TIME_LIMIT, document_failure, one_line

if TYPE_CHECKING:  # spaCy loads with the extractor: a build where nothing changed never imports it
    from extract import Extraction, Extractor


@dataclass(frozen=True)
class Unchanged:
    """A file whose bytes (``doc_id``) are loaded already, extracted with the same signature."""

    path: str
    doc_id: str


@dataclass(frozen=True)
class Failed:
    """A document the build gave up on: the error (path, code, reason) and, for an internal error
    (E150), the traceback that goes to the build's log."""

    error: InputError
    traceback: str = ""


Outcome = Union[ParsedDocument, Unchanged, Failed]

_extractors: dict[int, tuple[Vocabulary, Extractor]] = {}


def extractor_for(vocab: Vocabulary) -> Extractor:
    """One extractor per vocabulary (building one loads spaCy's tokenizer and matchers, ~1 s)."""
    cached = _extractors.get(id(vocab))
    if cached is None or cached[0] is not vocab:
        from extract import Extractor

        cached = _extractors[id(vocab)] = (vocab, Extractor(vocab))
    return cached[1]


def extract_file(path: str | Path, vocab: Vocabulary, options: IngestOptions) -> Extraction:
    """Read, parse and extract one file, in this process and without limits. Raises ``InputError``."""
    data = read_bytes(path, options)
    doc = parse_bytes(data, str(path), hashlib.sha256(data).hexdigest())
    return extractor_for(vocab).extract(doc)


@dataclass(frozen=True)
class _Job:
    vocab: Vocabulary
    options: IngestOptions
    loaded: Mapping[str, str]  # doc_id → extraction signature it was loaded with
    signature: str
    max_memory: int
    log_levels: tuple[tuple[str, int], ...]  # the caller's (``logs.levels()``): a worker logs what it would
    library_warnings: bool  # the user asked for the log: let libraries' warnings through
    library_log: Optional[Path] = None  # the file they go to (``logs.library_file()``), else stderr


_job: list[_Job] = []  # the job of this worker


def _init(job: _Job) -> None:
    _job[:] = [job]
    if not logging.getLogger().handlers:  # a fresh worker: log to stderr at the caller's levels
        logs.replicate(job.log_levels, job.library_log)
    if not job.library_warnings:
        quiet.silence()
    extractor_for(job.vocab)  # spaCy's tokenizer and matchers load here, not in the first document's time


def _process(path: str) -> Outcome:
    """Whatever goes wrong comes back as a value (it pickles), so the batch goes on."""
    try:
        data = read_bytes(path, _job[0].options)
    except InputError as e:
        return Failed(e)
    return process_bytes(path, data)


def process_bytes(path: str, data: bytes, pdf_pages: Optional[list[Any]] = None) -> Outcome:
    """Parse and extract the bytes of ``path`` with this worker's job (``_init``); errors are values.
    ``pdf_pages``: a PDF's pages read already, in ranges (``ray_engine``)."""
    job = _job[0]
    try:
        doc_id = hashlib.sha256(data).hexdigest()
        if job.loaded.get(doc_id) == job.signature:
            return Unchanged(path, doc_id)
        doc = parse_bytes(data, path, doc_id, options=job.options, pdf_pages=pdf_pages)  # pages counted first
        extraction = extractor_for(job.vocab).extract(doc)
        return ParsedDocument(
            doc, extraction.payer, extraction.statements, extraction.payer_new, extraction.unexplained
        )
    except InputError as e:
        if e.code == PAGE_LIMIT:  # ingest's page limit is the build's --max-pages
            e = document_failure(path, PAGE_LIMIT, f"more than {job.options.max_pages:,} pages; --max-pages")
        return Failed(e)
    except RecursionError:
        return Failed(document_failure(path, STRUCTURE_LIMIT, "nested too deeply to read"))
    except MemoryError:
        return Failed(
            document_failure(path, STRUCTURE_LIMIT, f"too large for the memory limit, {_size(job.max_memory)}")
        )
    except Exception as e:
        return Failed(document_failure(path, INTERNAL, f"{type(e).__name__}: {one_line(e)}"), traceback.format_exc())


def _size(n: int) -> str:
    if not n:
        return "the machine's memory"
    size = f"{n // 1024**3} GiB" if n % 1024**3 == 0 else f"{round(n / 1024**2):,} MiB"
    return f"{size} per worker; --max-memory"


def process_all(
    paths: Sequence[str],
    cfg: BuildConfig,
    vocab: Vocabulary,
    loaded: Mapping[str, str],
    signature: str,
    advance: Callable[[str], None],
    on_work: Callable[[int], None] = lambda n: None,
) -> Iterator[Outcome]:
    """The outcome of every path, in order, each yielded as soon as it (and those before it) is
    ready, so the caller can load it and let it go. Files that cannot be read, or whose bytes are
    loaded already, are settled here first; the others go to ``cfg.worker_count`` worker processes
    with the config's time and memory limits (a build where nothing changed starts none), or to Ray
    tasks (``cfg.engine == "ray"``, ``payerkg.ray_engine``). ``on_work(n)`` is told how many files
    need parsing before any is parsed."""
    options = cfg.ingest_options()
    settled: dict[int, Outcome] = {}
    for i, path in enumerate(paths):
        outcome = _settled(path, options, loaded, signature)
        if outcome is not None:
            settled[i] = outcome
            advance(Path(path).name)
    todo = [i for i in range(len(paths)) if i not in settled]
    on_work(len(todo))
    parsed: Iterator[Union[Outcome, workers.Lost]] = iter(())
    if todo:
        job = _Job(
            vocab, options, loaded, signature, cfg.max_memory, logs.levels(), quiet.wanted(), logs.library_file()
        )
        if cfg.engine == "ray":
            from . import ray_engine

            parsed = ray_engine.results(
                [paths[i] for i in todo], job, cfg, on_done=lambda k: advance(Path(paths[todo[k]]).name)
            )
        else:
            limits = workers.Limits(timeout=cfg.doc_timeout or None, memory=cfg.max_memory or None)
            parsed = workers.results(
                [paths[i] for i in todo],
                _process,
                workers=cfg.worker_count,
                limits=limits,
                init=_init,
                init_args=(job,),
                preload=(__name__,),
                on_done=lambda k: advance(Path(paths[todo[k]]).name),
            )
    try:
        for i in range(len(paths)):
            yield settled.pop(i) if i in settled else _outcome(paths[i], next(parsed), cfg.doc_timeout)
    finally:
        close = getattr(parsed, "close", None)
        if close is not None:  # stops the workers when the caller stops early
            close()


def _settled(path: str, options: IngestOptions, loaded: Mapping[str, str], signature: str) -> Optional[Outcome]:
    """A file that needs no worker: one that cannot be read (not a regular file, too large, gone) or
    whose bytes are loaded already. Its bytes are read and hashed here, and again by the worker that
    parses it (which parses what it reads, should the file change meanwhile)."""
    try:
        if Path(path).exists() and not Path(path).is_file():
            raise input_error(path, "E100", "not a regular file")
        data = read_bytes(path, options)
    except InputError as e:
        return Failed(e)
    doc_id = hashlib.sha256(data).hexdigest()
    return Unchanged(path, doc_id) if loaded.get(doc_id) == signature else None


def _outcome(path: str, result: Union[Outcome, workers.Lost], timeout: Optional[float]) -> Outcome:
    if not isinstance(result, workers.Lost):
        return result
    if result.kind == "timeout":
        return Failed(document_failure(path, TIME_LIMIT, f"still running after {timeout:g} s; --doc-timeout"))
    if result.error_type in ("RecursionError", "MemoryError"):
        return Failed(document_failure(path, STRUCTURE_LIMIT, result.detail))
    return Failed(document_failure(path, INTERNAL, result.detail), result.traceback)
