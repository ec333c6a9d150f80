"""Logging for the CLI, the one place it is configured (library modules only log).

``-v`` counts: none shows warnings, ``-v`` payerkg's decisions (each document's payer, rules and
what it could not read), ``-vv`` every rule with the pattern that made it and why each skipped
sentence was skipped (``extract.*`` debug), ``-vvv`` everything, the libraries underneath
(great-expectations, pdfminer, bs4 …) included; below ``-vvv`` those stay quiet.

Every message is printed once: an input error the library returns as a value (and logs) is
rendered by the CLI from the result, so its log record is not printed again.

A build's worker processes (``payerkg.parsing``) log as the caller does: ``levels()`` is taken in
the caller and ``replicate()`` applies it in each worker.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

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


def configure(verbose: int) -> None:
    """Route log records to stderr at the level ``verbose`` asks for (see the module docstring)."""
    ours = LEVELS.get(verbose, logging.DEBUG)
    replicate((("", logging.DEBUG if verbose >= EVERYTHING else logging.ERROR), *((name, ours) for name in OURS)))


def levels() -> tuple[tuple[str, int], ...]:
    """The effective level of the root logger (``""``) and of payerkg's own packages, as they are now."""
    return tuple((name, logging.getLogger(name or None).getEffectiveLevel()) for name in ("", *OURS))


def replicate(levels: tuple[tuple[str, int], ...]) -> None:
    """Log to stderr at ``levels`` (from ``levels()`` or ``configure``), replacing the root's handlers."""
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NotRendered())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    for name, level in levels:
        logging.getLogger(name or None).setLevel(level)
    logging.captureWarnings(True)  # Python warnings are log records of ``py.warnings``: quiet below -vvv
