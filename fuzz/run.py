"""The runner: one forked child per input, ``jobs`` at a time, each under a time limit and an
address-space cap (the input's own budget, on top of the address space the child inherited).

The parent loads the parsers and the extractor once; children share them copy-on-write. A child
rebuilds its input from the recipe, sends its progress and result as JSON lines on a pipe, and has
its stdout and stderr sent to a file, so a library that prints (rather than logging) is caught.

The time limit is on the child's CPU time by default (``clock="cpu"``, read from ``/proc``): the run
shares its cores with whatever else the machine does, and an input's own cost is what the limit is
about. A wall-clock backstop of ``WALL_FACTOR`` times the limit stops a child that sleeps or
thrashes, or that a crowded machine gives too little CPU: its outcome is ``stopped`` (CPU time under
the limit), not ``hang``. Each result carries its CPU and wall time.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import pkgutil
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .cases import Recipe, materialize
from .check import LogCounter, Result, execute, frames
from .corpus import DEFAULT_MEM_LIMIT, DEFAULT_TIME_LIMIT, FUZZ_MAX_PAGES, CorpusFile

if TYPE_CHECKING:
    from extract import Extractor

#: A child is stopped after this many times the limit of wall-clock time, whatever its CPU time.
WALL_FACTOR = 5.0
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def prepare_parent() -> Extractor:
    """Load what every child needs once (the children share it copy-on-write): every module of
    ``ingest`` and ``extract``, those imported inside functions too (``DocumentWalk`` imports its list
    and table readers when made), so no child reads a module edited since the run began (a run of
    seed 30 mixed an old ``claim.py`` with a new ``lists.py``: two false AttributeError crashes)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import extract
    import ingest
    from extract import Extractor

    for package in (ingest, extract):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return Extractor()


#: Python's default recursion limit, the one payerkg's workers run with (fresh interpreters)
WORKER_RECURSION_LIMIT = 1000


def _child(
    recipe: Recipe,
    corpus: list[CorpusFile],
    extractor: Extractor,
    workdir: Path,
    wfd: int,
    mem_limit: int,
    max_pages: int,
) -> NoReturn:
    res: Result
    try:
        # as a payerkg worker runs (a fresh interpreter's limit): a limit the parent raised (hypothesis
        # raises it while it draws, in the suite's bounded sample) let pdfminer's recursive walks
        # overflow the C stack (SIGSEGV) where a worker gets RecursionError, read as E142
        sys.setrecursionlimit(WORKER_RECURSION_LIMIT)
        # the input's own budget on top of what the child inherited: a parent that had grown past the
        # cap (the suite's process, after in-process builds: 2.5 GiB of address space with DuckDB and
        # great-expectations) left a child no room to grow its stack, and deep recursion was a SIGSEGV
        cap = address_space() + mem_limit
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        out_path = workdir / f"out{recipe['id']}"
        out = os.open(out_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out, 1)
        os.dup2(out, 2)
        counter = LogCounter()
        root = logging.getLogger()
        root.handlers[:] = [counter]
        root.setLevel(logging.WARNING)
        data, name = materialize(recipe, corpus)
        os.write(wfd, json.dumps({"stage": "ingest", "size": len(data)}).encode() + b"\n")
        res = execute(data, name, extractor, workdir, lambda d: _say(wfd, d), max_pages)
        del data
        sys.stdout.flush()
        sys.stderr.flush()
        os.lseek(out, 0, 0)
        printed = os.read(out, 400)
        if printed:
            res["printed"] = printed.decode("utf-8", "replace")
        res["log"] = dict(counter.counts)
        usage = resource.getrusage(resource.RUSAGE_SELF)  # this child's own, counted from the fork
        res["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
        os.close(out)
        out_path.unlink()
    except BaseException as e:  # e.g. MemoryError while building the input
        top, own = frames(e.__traceback__)
        res = {
            "outcome": "crash",
            "stage": "harness",
            "exc": type(e).__name__,
            "msg": str(e)[:300],
            "frame": top,
            "own_frame": own,
        }
    try:
        _say(wfd, res)
    finally:
        os._exit(0)


def address_space() -> int:
    """This process's address space now (``VmSize``), in bytes; 0 where ``/proc`` does not say."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmSize:")), 0)


def _say(wfd: int, message: Result) -> None:
    os.write(wfd, json.dumps(message).encode() + b"\n")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a live process, from ``/proc`` (None where there is none)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; utime and stime are fields 14, 15
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass
class _Running:
    recipe: Recipe
    pid: int
    rfd: int
    started: float
    buf: bytearray = field(default_factory=bytearray)

    def over(self, now: float, time_limit: float, clock: str, wall_factor: float = WALL_FACTOR) -> Result | None:
        """The outcome of a child past its limit (``hang``) or the backstop (``stopped``), with its
        CPU and wall seconds; None while it is within both."""
        wall = now - self.started
        cpu = cpu_seconds(self.pid)
        used = cpu if clock == "cpu" and cpu is not None else wall
        if used > time_limit:
            outcome = "hang"
        elif wall > time_limit * wall_factor:
            outcome = "stopped"
        else:
            return None
        return {"outcome": outcome, "seconds": round(used, 1), "cpu_s": round(cpu or 0.0, 1), "wall_s": round(wall, 1)}


def run_cases(
    recipes: Iterable[Recipe],
    corpus: list[CorpusFile],
    extractor: Extractor,
    *,
    jobs: int = 2,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mem_limit: int = DEFAULT_MEM_LIMIT,
    clock: str = "cpu",
    max_pages: int = FUZZ_MAX_PAGES,
    wall_factor: float = WALL_FACTOR,
) -> Iterator[tuple[Recipe, Result]]:
    """Run every recipe in a forked child, at most ``jobs`` at once; yield ``(recipe, result)`` in
    the order they finish. A child over ``time_limit`` seconds (of ``clock``: ``cpu`` or ``wall``) is
    killed and its result is a ``hang``; one past ``wall_factor`` times the limit by the clock first
    is killed and ``stopped``."""
    workdir = Path(tempfile.mkdtemp(prefix="payerkg-fuzz-"))
    running: dict[int, _Running] = {}
    it = iter(recipes)
    exhausted = False
    try:
        while running or not exhausted:
            while not exhausted and len(running) < jobs:
                recipe = next(it, None)
                if recipe is None:
                    exhausted = True
                    break
                rfd, wfd = os.pipe()
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    os.close(rfd)
                    _child(recipe, corpus, extractor, workdir, wfd, mem_limit, max_pages)
                os.close(wfd)
                running[rfd] = _Running(recipe, pid, rfd, time.monotonic())
            if not running:
                break
            ready, _, _ = select.select(list(running), [], [], 0.5)
            for fd in ready:
                r = running[fd]
                chunk = os.read(fd, 65536)
                if chunk:
                    r.buf += chunk
                    continue
                del running[fd]
                os.close(fd)
                _, status = os.waitpid(r.pid, 0)
                yield r.recipe, _finish(r, status, time.monotonic() - r.started)
            now = time.monotonic()
            for fd, r in list(running.items()):
                verdict = r.over(now, time_limit, clock, wall_factor)
                if verdict is None:
                    continue
                os.kill(r.pid, signal.SIGKILL)
                os.waitpid(r.pid, 0)
                os.close(fd)
                del running[fd]
                yield r.recipe, {**_progress(r.buf), **verdict}
    finally:
        for r in running.values():
            os.kill(r.pid, signal.SIGKILL)
            os.waitpid(r.pid, 0)
        shutil.rmtree(workdir, ignore_errors=True)


def _messages(buf: bytearray) -> list[Result]:
    out = []
    for line in bytes(buf).splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _progress(buf: bytearray) -> Result:
    """What the child said before it was stopped: its stage, and the Document's size if read."""
    merged: Result = {}
    for m in _messages(buf):
        merged.update(m)
    return merged


def _finish(r: _Running, status: int, elapsed: float) -> Result:
    messages = _messages(r.buf)
    if messages and "outcome" in messages[-1]:
        return {**messages[-1], "wall_s": round(elapsed, 3)}
    seen = _progress(r.buf)
    crash = {
        "outcome": "crash",
        "frame": "",
        "own_frame": "",
        "seconds": round(elapsed, 3),
        "wall_s": round(elapsed, 3),
    }
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        return {**seen, **crash, "exc": sig, "msg": f"killed by {sig}"}
    return {**seen, **crash, "exc": "NoResult", "msg": f"exit status {status}"}
