"""``--engine ray``: parse and extract each document as a Ray task, on one machine or a cluster.

The driver (the ``payerkg build`` process, next to the database) reads each file and sends its bytes
with the task, so the files and the database only need to be where the driver runs; the Ray nodes
need payerkg installed (``pip install payerkg[ray]``). Results come back in the order of the files,
each as soon as it and those before it are in, and go straight into the one DuckDB writer (the
driver's load transaction), so the database is the same as ``--workers 1`` builds.

A PDF of more than ``SPLIT_PAGES`` pages is read in ranges of that many pages, each range a task
of its own (``ingest.pdf.read_pdf_pages``: reading a page needs no other page), and one more task
puts the pages together and extracts (running headers, reading order, blocks and the walk need the
whole document): a long manual keeps several CPUs busy, not one, and gives the same document.

Limits per document: a task still running ``--doc-timeout`` seconds after it was handed out is
cancelled (E140), with its page-range tasks; a task whose worker dies (Ray's memory monitor kills it on a node out of memory,
a crash in C code) is E142 for memory, else E150. ``--max-memory`` is the local engine's (an
address-space cap would break a Ray worker's shared-memory store): on Ray, memory is the memory
monitor's. Tasks are not retried: a document that kills its worker would kill the next one too.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

from ingest.api import read_bytes

from . import quiet
from .errors import ConfigError

if TYPE_CHECKING:
    from .config import BuildConfig
    from .parsing import Outcome, _Job
    from .workers import Lost

_log = logging.getLogger(__name__)

#: tasks handed out beyond the cluster's CPUs, so a CPU that finishes finds its next task waiting
#: (each holds a file's bytes in the object store until it runs: a few MiB at most).
AHEAD = 2
#: pages per range task of a long PDF: a page takes 5-100 ms to lay out, so a range is a few seconds
#: of work, long enough that a task's own cost (~10 ms, the file's bytes shared through the object
#: store) stays small; a PDF of at most this many pages is one task.
SPLIT_PAGES = 25

_remote: list[Any] = []  # the remote function, made once per process


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise ConfigError("--engine ray needs Ray: pip install 'payerkg[ray]'") from e
    return ray


def _task(job: _Job, path: str, data: bytes) -> Outcome:
    """Inside a Ray worker: parse and extract one document from its bytes (``parsing._process``)."""
    from . import parsing

    if not parsing._job or parsing._job[0] != job:  # a worker keeps its job (and extractor) across tasks
        parsing._init(job)
    return parsing.process_bytes(path, data)


def _pages_task(path: str, data: bytes, first: int, last: int) -> Any:
    """Inside a Ray worker: one range of a long PDF's pages (an input error comes back as a value)."""
    from ingest import InputError
    from ingest.pdf import read_pdf_pages

    try:
        return read_pdf_pages(data, path, first, last)
    except InputError as e:
        return e


def _assemble_task(job: _Job, path: str, data: bytes, *parts: Any) -> Outcome:
    """Inside a Ray worker: a long PDF from its ranges of pages, in order, then extraction."""
    from ingest import InputError

    from . import parsing

    if not parsing._job or parsing._job[0] != job:
        parsing._init(job)
    failed = next((p for p in parts if isinstance(p, InputError)), None)
    if failed is not None:
        return parsing.Failed(failed)
    return parsing.process_bytes(path, data, [page for part in parts for page in part])


def page_ranges(path: str, data: bytes, job: _Job) -> list[tuple[int, int]]:
    """The ranges a PDF of more than ``SPLIT_PAGES`` pages is read in; none for any other file (and
    for a PDF ingest refuses: its one task reports the error as ``--workers`` would)."""
    from ingest import InputError
    from ingest.detect import detect
    from ingest.model import MediaType

    if detect(data, path)[0] is not MediaType.PDF:
        return []
    from ingest.pdf import pdf_page_count

    try:
        count = pdf_page_count(data, path, job.options.max_pages)
    except InputError:
        return []
    if count <= SPLIT_PAGES:
        return []
    return [(a, min(a + SPLIT_PAGES, count)) for a in range(0, count, SPLIT_PAGES)]


def results(
    paths: Sequence[str], job: _Job, cfg: BuildConfig, on_done: Callable[[int], None] = lambda i: None
) -> Iterator[Union[Outcome, Lost]]:
    """Each path's outcome (or ``Lost``), in order, parsed by Ray tasks on the cluster at
    ``cfg.ray_address`` (``$PAYERKG_RAY_ADDRESS`` or ``$RAY_ADDRESS``; None: a new local Ray with
    ``cfg.worker_count`` CPUs). A Ray this process started is shut down at the end."""
    from ingest import InputError

    from .parsing import Failed
    from .workers import Lost

    ray = _ray()
    started = False
    if not ray.is_initialized():
        address = cfg.ray_address or None
        with quiet.quieted():
            ray.init(
                address=address,
                num_cpus=None if address else cfg.worker_count,
                include_dashboard=False,
                log_to_driver=quiet.wanted(logging.INFO),
                logging_level=logging.INFO if quiet.wanted(logging.INFO) else logging.ERROR,
            )
        started = True
    try:
        if not _remote:
            _remote.extend(ray.remote(num_cpus=1, max_retries=0)(f) for f in (_task, _pages_task, _assemble_task))
        task, pages_task, assemble_task = _remote
        # the driver settled the files loaded already: the tasks need no list of them
        job_ref = ray.put(dataclasses.replace(job, loaded={}))
        width = max(1, int(ray.cluster_resources().get("CPU", 1))) + AHEAD
        timeout = cfg.doc_timeout or None
        todo = list(range(len(paths)))[::-1]
        running: dict[Any, tuple[int, float]] = {}  # ref → (index, handed out at)
        ranges_of: dict[Any, list[Any]] = {}  # a long PDF's ref → its page-range tasks
        ready: dict[int, Union[Outcome, Lost]] = {}
        next_out = 0
        while todo or running or ready:
            while todo and len(running) < width:
                i = todo.pop()
                try:
                    data = read_bytes(paths[i], job.options)
                except InputError as e:  # gone or changed since it was hashed: settled here, no task
                    ready[i] = Failed(e)
                    on_done(i)
                    continue
                ranges = page_ranges(paths[i], data, job)
                if ranges:
                    data_ref = ray.put(data)
                    parts = [pages_task.remote(paths[i], data_ref, a, b) for a, b in ranges]
                    ref = assemble_task.remote(job_ref, paths[i], data_ref, *parts)
                    ranges_of[ref] = parts
                else:
                    ref = task.remote(job_ref, paths[i], data)
                running[ref] = (i, time.monotonic())
                del data
            while next_out in ready:
                yield ready.pop(next_out)
                next_out += 1
            if not running:
                continue
            left = None
            if timeout is not None:
                left = max(0.0, min(t for _, t in running.values()) + timeout - time.monotonic())
            done, _ = ray.wait(list(running), num_returns=1, timeout=left)
            for ref in done:
                i, _ = running.pop(ref)
                ranges_of.pop(ref, None)
                ready[i] = _get(ray, ref)
                on_done(i)
            now = time.monotonic()
            for ref, (i, t) in list(running.items()):
                if timeout is not None and now - t >= timeout:
                    for part in [ref, *ranges_of.pop(ref, [])]:
                        ray.cancel(part, force=True)
                    running.pop(ref)
                    ready[i] = Lost("timeout", f"stopped after {timeout:g} s")
                    on_done(i)
    finally:
        if started:
            ray.shutdown()


def _get(ray: Any, ref: Any) -> Union[Outcome, Lost]:
    from .workers import Lost

    try:
        result: Outcome = ray.get(ref)
        return result
    except ray.exceptions.OutOfMemoryError as e:
        return Lost("died", f"its Ray worker ran out of memory: {_first_line(e)}", "MemoryError")
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as e:
        return Lost("died", f"its Ray worker died: {_first_line(e)}")
    except ray.exceptions.RayTaskError as e:
        cause = e.cause if isinstance(getattr(e, "cause", None), BaseException) else e
        return Lost("error", _first_line(cause), type(cause).__name__, str(e))
    except ray.exceptions.RayError as e:
        return Lost("died", f"Ray lost the task: {_first_line(e)}")


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__
