"""Logging for the CLI, the one place it is configured (library modules only log).

``-v`` counts: none shows warnings, ``-v`` payerkg's decisions (each document's payer, rules and
what it could not read), ``-vv`` every rule with the pattern that made it and why each skipped
sentence was skipped (``extract.*`` debug), ``-vvv`` everything, the libraries underneath
(great-expectations, pdfminer, bs4 …) included. Below ``-vvv`` the libraries' warnings stay off the
screen: a build at ``-v`` or ``-vv`` appends them to its log file next to the database
(``payerkg.duckdb.log``, where E150 tracebacks go too); without ``-v`` they are dropped.

Every message is printed once: an input error the library returns as a value (and logs) is
rendered by the CLI from the result, so its log record is not printed again.

A build's worker processes (``payerkg.parsing``) log as the caller does: ``levels()`` is taken in
the caller and ``replicate()`` applies it in each worker.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Optional

from ingest import PayerkgError

#: payerkg's own packages; every other logger is a library underneath
OURS = ("payerkg", "ingest", "extract", "graph", "warehouse")
LEVELS = {0: logging.WARNING, 1: logging.INFO, 2: logging.DEBUG}
#: the verbosity from which the libraries underneath speak too
EVERYTHING = 3


class _Stderr(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment, so a progress bar (which redirects it while it
    runs) prints each message above the bar, and tests that capture stderr see them."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _NotRendered(logging.Filter):
    """Drops records about an error the command renders from its result (an ``InputError``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(isinstance(a, PayerkgError) for a in args)


def _ours(record: logging.LogRecord) -> bool:
    return record.name.split(".")[0] in OURS


class _LibraryWarnings(logging.Filter):
    """For the log file: the libraries' records only (payerkg's own go to the screen)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _ours(record)


class _NotLibraryWarnings(logging.Filter):
    """For the screen while a log file takes the libraries' warnings: their errors only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _ours(record) or record.levelno >= logging.ERROR


_library_file: list[Optional[Path]] = [None]  # where this process appends the libraries' warnings


def configure(verbose: int, library_log: Optional[Path] = None) -> None:
    """Route log records to stderr at the level ``verbose`` asks for (see the module docstring);
    at ``-v`` and ``-vv`` the libraries' warnings go to ``library_log`` (a build's log file) instead."""
    ours = LEVELS.get(verbose, logging.DEBUG)
    to_file = library_log if library_log is not None and 1 <= verbose < EVERYTHING else None
    root = logging.DEBUG if verbose >= EVERYTHING else logging.WARNING if to_file else logging.ERROR
    replicate((("", root), *((name, ours) for name in OURS)), to_file)


def levels() -> tuple[tuple[str, int], ...]:
    """The effective level of the root logger (``""``) and of payerkg's own packages, as they are now."""
    return tuple((name, logging.getLogger(name or None).getEffectiveLevel()) for name in ("", *OURS))


def library_file() -> Optional[Path]:
    """The file this process appends the libraries' warnings to (``configure``), if any."""
    return _library_file[0]


def replicate(levels: tuple[tuple[str, int], ...], library_log: Optional[Path] = None) -> None:
    """Log to stderr at ``levels`` (from ``levels()`` or ``configure``), replacing the root's handlers;
    with ``library_log``, the libraries' records go to that file (appended; workers share it) and
    only their errors to stderr."""
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NotRendered())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
        if isinstance(h, logging.FileHandler):
            h.close()
    root.addHandler(handler)
    _library_file[0] = library_log
    if library_log is not None:
        handler.addFilter(_NotLibraryWarnings())
        to_file = logging.FileHandler(library_log, mode="a", encoding="utf-8", delay=True)
        to_file.setLevel(logging.WARNING)
        to_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        to_file.addFilter(_LibraryWarnings())
        root.addHandler(to_file)
    for name, level in levels:
        logging.getLogger(name or None).setLevel(level)
    logging.captureWarnings(True)  # Python warnings are log records of ``py.warnings``: quiet below -vvv
