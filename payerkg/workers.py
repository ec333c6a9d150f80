"""A supervised pool of worker processes: every task runs where it can be stopped.

Each task runs in a worker process (one even for ``--workers 1``), never in the caller's: a task
that runs past its time limit is killed with its worker, a worker that dies (a signal, the kernel's
OOM killer, a crash in C code) is noticed, and in both cases the task comes back as ``Lost`` and a
fresh worker takes the next task. Each worker's address space is capped (``RLIMIT_AS``), so a
runaway allocation raises ``MemoryError`` inside the task instead of exhausting the machine.

Workers come from a fork server (``multiprocessing``'s ``forkserver``: a small process started once,
with the task's modules imported), not from the caller: a forked copy of the caller would carry its
whole address space — a notebook's data frames, DuckDB's thread arenas — into the cap, and its
threads' locks. A worker dies with the fork server (``PR_SET_PDEATHSIG`` on Linux), which exits with
the caller, and leaves its loop when the caller's end of its pipe closes: killing a build leaves no
process behind.

A task's time limit runs from when its worker is ready (started and set up by ``init``), so the
first task of a worker does not pay for the worker's start; a worker that is not ready within
``STARTUP_LIMIT`` loses its task.

Results come back in the order of the tasks, whatever the order they finish in, each as soon as the
ones before it are in (``results``), so a caller can stream them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, Optional, TypeVar, Union

T = TypeVar("T")
R = TypeVar("R")

#: How long a worker asked to stop may take before it is killed (it only has to read a None).
STOP_GRACE = 2.0
#: How long a worker may take to start and run ``init`` (imports, models) when tasks have a time
#: limit. payerkg's workers (spaCy's extractor included) were ready in 1.9-3.1 s on the 2-core machine at a
#: load average of 4: a generous bound that still ends a worker stuck before its first task.
STARTUP_LIMIT = 120.0
_READY = "ready"  # a worker's first message: started and set up
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Lost:
    """A task that gave no result: ``kind`` is ``timeout`` (its worker was killed), ``died`` (its worker
    died), ``error`` (an exception escaped ``work``) or ``unsendable`` (its result could not be handed
    back); ``error_type`` names the exception, ``detail`` says what happened, ``traceback`` where."""

    kind: str
    detail: str
    error_type: str = ""
    traceback: str = ""


@dataclass(frozen=True)
class Limits:
    """``timeout``: seconds a task may run (None: no limit); ``memory``: bytes of address space of a
    worker (None: no cap)."""

    timeout: Optional[float] = None
    memory: Optional[int] = None


class _Worker(Generic[T]):
    def __init__(
        self, ctx: Any, work: Callable[[T], Any], init: Callable[..., None], args: tuple, memory: Optional[int]
    ):
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child, work, init, args, memory), daemon=True)
        with _without_main():
            self.process.start()
        child.close()
        self.task: Optional[int] = None
        self.born = self.given = time.monotonic()
        self.ready_at: Optional[float] = None  # when it said it was ready

    def give(self, index: int, task: T) -> None:
        self.conn.send((index, task))
        self.task, self.given = index, time.monotonic()

    def deadline(self, timeout: float) -> float:
        """When its task runs out of time (or, before it is ready, its start does)."""
        if self.ready_at is None:
            return self.born + STARTUP_LIMIT
        return max(self.given, self.ready_at) + timeout

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(0 if kill else STOP_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process.close()


def run(tasks: Sequence[T], work: Callable[[T], R], **options: Any) -> list[Union[R, Lost]]:
    """Every task's result, in the order of the tasks: ``results`` (same options), collected."""
    return list(results(tasks, work, **options))


def results(
    tasks: Sequence[T],
    work: Callable[[T], R],
    *,
    workers: int,
    limits: Limits,
    init: Callable[..., None],
    init_args: tuple = (),
    preload: Sequence[str] = (),
    on_done: Callable[[int], None] = lambda i: None,
) -> Iterator[Union[R, Lost]]:
    """``work(task)`` for every task in at most ``workers`` processes, each set up by ``init(*init_args)``,
    yielded in the order of the tasks as soon as each is ready (a result that finishes early waits
    only for the ones before it, so the caller can use and drop each in turn).
    ``work`` and ``init`` must be importable (not defined in ``__main__``). ``work`` should return its
    errors as values; an exception escaping it comes back as ``Lost``
    (``error``) with its traceback, and the worker goes on. ``preload``: modules the fork server imports
    once (those of ``work``). ``on_done(i)`` is called as task i finishes. Closing it stops the workers."""
    done: dict[int, Any] = {}
    todo = deque(range(len(tasks)))
    ctx = _context(preload)
    pool: list[_Worker[T]] = []
    size = max(1, min(workers, len(tasks)))
    next_out = 0

    def finish(w: _Worker[T], result: Union[R, Lost]) -> None:
        assert w.task is not None
        done[w.task] = result
        index, w.task = w.task, None
        on_done(index)

    def replace(w: _Worker[T], result: Lost, kill: bool) -> None:
        finish(w, result)
        w.stop(kill=kill)
        pool.remove(w)

    try:
        while todo or any(w.task is not None for w in pool):
            for w in [w for w in pool if w.task is None]:
                if not todo:
                    break
                try:
                    if not w.process.is_alive():
                        raise BrokenPipeError
                    w.give(todo[0], tasks[todo[0]])
                    todo.popleft()
                except OSError:  # it died idle: a fresh one takes the task
                    w.stop(kill=True)
                    pool.remove(w)
            while todo and len(pool) < size:
                w = _Worker(ctx, work, init, init_args, limits.memory)
                pool.append(w)
                index = todo.popleft()
                w.give(index, tasks[index])
            while next_out in done:  # the workers have their next tasks: hand results on meanwhile
                yield done.pop(next_out)
                next_out += 1
            busy = [w for w in pool if w.task is not None]
            if not busy:
                continue
            timeout = limits.timeout
            now = time.monotonic()
            left = None if timeout is None else max(0.0, min(w.deadline(timeout) for w in busy) - now)
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=left))
            now = time.monotonic()
            for w in busy:
                if w.conn in ready:
                    try:
                        message = w.conn.recv()
                    except (EOFError, OSError):
                        replace(w, Lost("died", _how_it_died(w)), kill=True)
                        continue
                    if message == _READY:  # its task's clock starts now
                        w.ready_at = now
                        continue
                    finish(w, message[1])
                elif w.process.sentinel in ready:
                    replace(w, Lost("died", _how_it_died(w)), kill=True)
                elif timeout is not None and now >= w.deadline(timeout):
                    if w.ready_at is None:
                        replace(w, Lost("error", f"the worker did not start within {STARTUP_LIMIT:g} s"), kill=True)
                    else:
                        replace(w, Lost("timeout", f"stopped after {timeout:g} s"), kill=True)
    finally:
        for w in pool:
            w.stop(kill=w.task is not None)
    yield from (done.pop(i) for i in range(next_out, len(tasks)))  # the last ones, in order


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Start a worker without re-running the caller's ``__main__`` in it. multiprocessing would, to
    find functions defined there; the pool's functions are importable (never ``__main__``'s), and a
    caller's script without an ``if __name__ == "__main__":`` guard would start its build again in
    every worker. The two attributes it reads are hidden while the worker starts, then restored."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _context(preload: Sequence[str]) -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))  # no effect once the server runs: it has them already
    return ctx


def _how_it_died(w: _Worker[Any]) -> str:
    w.process.join(1.0)
    code = w.process.exitcode
    if code is None:
        return "its worker stopped answering"
    if code < 0:
        return f"its worker was killed by {signal.Signals(-code).name}" + (
            " (out of memory?)" if -code == signal.SIGKILL else ""
        )
    return f"its worker exited with status {code}"


# -- inside a worker -------------------------------------------------------------------------------
def _serve(
    conn: Connection,
    work: Callable[[Any], Any],
    init: Callable[..., None],
    args: tuple,
    memory: Optional[int],
) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    if memory:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
    try:
        init(*args)
        broken: Optional[Lost] = None
    except Exception as e:  # it answers every task with why it cannot work
        broken = Lost(
            "error", f"the worker could not start: {_first_line(e)}", type(e).__name__, traceback.format_exc()
        )
    try:
        conn.send(_READY)
    except (EOFError, OSError):  # the parent is gone
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is None:
            return
        index, task = message
        try:
            result = broken or work(task)
        except Exception as e:  # work returns its errors; anything else is a defect, reported
            result = Lost("error", _first_line(e), type(e).__name__, traceback.format_exc())
        try:
            conn.send((index, result))
        except (EOFError, BrokenPipeError):
            return
        except Exception as e:  # the result does not pickle, or is nested too deeply to
            conn.send((index, Lost("unsendable", _first_line(e), type(e).__name__, traceback.format_exc())))


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def _die_with_parent() -> None:
    """SIGKILL this worker when its parent (the fork server) exits; elsewhere than Linux, the closed
    pipe ends it when it next waits for a task."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
