"""Third-party libraries' warnings stay off the screen unless the user asked for the log (``-v``).

pdfminer logs a warning for each broken object of a damaged PDF, bs4 and great-expectations warn
through ``warnings``; none of it is for the analyst. With the root logger at INFO or more detailed
(the CLI's ``-vvv``, where the libraries underneath speak too: ``payerkg.logs``) they pass through to
the log as they are; otherwise they are dropped.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: the loggers of the libraries payerkg runs (their children inherit the level)
LIBRARY_LOGGERS = ("pdfminer", "pdfplumber", "bs4", "lxml", "great_expectations", "spacy", "py.warnings")
_SILENT = logging.CRITICAL + 1


def wanted(level: int = logging.WARNING) -> bool:
    """Whether the user asked for the libraries' log: the root logger lets their warnings through
    (``-vvv`` to the screen; ``-v`` of a build to its log file, ``payerkg.logs``), or with ``level``
    INFO, their chatter too (``-vvv`` only)."""
    return logging.getLogger().getEffectiveLevel() <= level


def silence() -> None:
    """For the rest of this process (a worker's): drop library log records and Python warnings."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(_SILENT)
    warnings.simplefilter("ignore")


@contextmanager
def quieted() -> Iterator[None]:
    """Within the block, libraries' log records and Python warnings are dropped unless ``wanted()``;
    the loggers' levels and the warning filters are restored after."""
    if wanted():
        yield
        return
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(_SILENT)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)
