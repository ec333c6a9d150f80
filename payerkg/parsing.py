"""Files → parsed and extracted documents, in this process or in a pool of worker processes.

Each file is read once and hashed once, where it is processed: a document whose bytes are loaded
already with the same extraction signature comes back as ``Unchanged`` without being parsed.
Results come in the order of the paths whatever the number of workers, so every worker count
builds the same database.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from extract import Vocabulary
from ingest import IngestOptions, InputError, parse_bytes
from ingest.api import read_bytes
from warehouse import ParsedDocument

if TYPE_CHECKING:  # spaCy loads with the extractor: a build where nothing changed never imports it
    from extract import Extraction, Extractor


@dataclass(frozen=True)
class Unchanged:
    """A file whose bytes (``doc_id``) are loaded already, extracted with the same signature."""

    path: str
    doc_id: str


Outcome = Union[ParsedDocument, Unchanged, InputError]

_extractors: dict[int, tuple[Vocabulary, Extractor]] = {}


def extractor_for(vocab: Vocabulary) -> Extractor:
    """One extractor per vocabulary (building one loads spaCy's tokenizer and matchers, ~1 s)."""
    cached = _extractors.get(id(vocab))
    if cached is None or cached[0] is not vocab:
        from extract import Extractor

        cached = _extractors[id(vocab)] = (vocab, Extractor(vocab))
    return cached[1]


def extract_file(path: str | Path, vocab: Vocabulary, options: IngestOptions) -> Extraction:
    """Read, parse and extract one file. Raises ``InputError``."""
    data = read_bytes(path, options)
    doc = parse_bytes(data, str(path), hashlib.sha256(data).hexdigest())
    return extractor_for(vocab).extract(doc)


@dataclass(frozen=True)
class _Job:
    vocab: Vocabulary
    options: IngestOptions
    loaded: Mapping[str, str]  # doc_id → extraction signature it was loaded with
    signature: str


_job: list[_Job] = []  # the job of this process (a worker's, or the parent's when it works alone)


def _init(job: _Job) -> None:
    _job[:] = [job]


def _process(path: str) -> Outcome:
    """An input error comes back as a value (it pickles), so the batch goes on."""
    job = _job[0]
    try:
        data = read_bytes(path, job.options)
        doc_id = hashlib.sha256(data).hexdigest()
        if job.loaded.get(doc_id) == job.signature:
            return Unchanged(path, doc_id)
        doc = parse_bytes(data, path, doc_id)
        extraction = extractor_for(job.vocab).extract(doc)
        return ParsedDocument(
            doc, extraction.payer, extraction.statements, extraction.payer_new, extraction.unexplained
        )
    except InputError as e:
        return e


def process_all(
    paths: Sequence[str],
    vocab: Vocabulary,
    options: IngestOptions,
    loaded: Mapping[str, str],
    signature: str,
    workers: int,
    advance: Callable[[str], None],
) -> list[Outcome]:
    """The outcome of every path, in order. ``workers`` > 1 runs a process pool (forked where the
    platform allows, so workers share the imported modules)."""
    if not paths:
        return []
    job = _Job(vocab, options, loaded, signature)
    if workers <= 1 or len(paths) == 1:
        _init(job)
        return list(_advancing(paths, map(_process, paths), advance))
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(paths)), mp_context=ctx, initializer=_init, initargs=(job,)
    ) as pool:
        return list(_advancing(paths, pool.map(_process, paths, chunksize=1), advance))


def _advancing(paths: Iterable[str], results: Iterable[Outcome], advance: Callable[[str], None]) -> Iterator[Outcome]:
    for path, result in zip(paths, results):
        advance(Path(path).name)
        yield result
