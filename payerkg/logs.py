"""Logging for the CLI, the one place it is configured (library modules only log).

``-v`` counts: none shows warnings, ``-v`` payerkg's decisions (each document's payer, rules and
what it could not read), ``-vv`` every rule with the pattern that made it and why each skipped
sentence was skipped (``extract.*`` debug), ``-vvv`` everything, the libraries underneath
(great-expectations, pdfminer, bs4 …) included; below ``-vvv`` those stay quiet.

Every message is printed once: an input error the library returns as a value (and logs) is
rendered by the CLI from the result, so its log record is not printed again.
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
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NotRendered())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose >= EVERYTHING else logging.ERROR)
    ours = LEVELS.get(verbose, logging.DEBUG)
    for name in OURS:
        logging.getLogger(name).setLevel(ours)
    logging.captureWarnings(True)  # Python warnings are log records of ``py.warnings``: quiet below -vvv
