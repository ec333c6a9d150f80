"""Validation in a process of its own, so that a build's driver never imports great-expectations.

great-expectations brings pandas' companions scipy and altair, SQLAlchemy and its own modules: ~150 MiB
that stayed in the driver from validation through COMMIT and the report, the driver's largest single
cost at the end of a build (issue 16: peak RSS). Here the suites' batches are still made in place —
SQL on the build's own connection, inside its transaction (``warehouse.batches``) — then copied to
Arrow files that a validator process loads into an in-memory DuckDB and validates
(``warehouse.validate.validate_files``: the same suites, the same SQL, the same results); the results
come back and are stored in the build's transaction as before.

The process is started when a build starts parsing (``start``), so it imports great-expectations
while documents parse, and comes from the workers' fork server (``payerkg.workers``), never from the
driver with DuckDB's threads. It dies with the driver; ``close`` ends it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import sys
import tempfile
import traceback
from datetime import date
from pathlib import Path
from typing import Any, Optional

import duckdb

from extract import Vocabulary
from warehouse.batches import Passed
from warehouse.validate import ValidationReport

from . import logs, quiet, workers

#: the fork server's modules: the workers' (``payerkg.parsing``), whichever of the two starts it
PRELOAD = ("payerkg.parsing",)
#: how long a validator asked to stop may take before it is killed
STOP_GRACE = 2.0
_PR_SET_NAME = 15


class ValidationFailed(RuntimeError):
    """The validator could not run the suites (the build is rolled back); the message has its traceback."""


class Validator:
    """One build's validator process. ``run`` has ``warehouse.validate.run_suites``' signature, so it
    is the ``runner`` of ``validate_build``. ``folder``: where the batches' files go (beside the
    database: the system's temporary folder may be memory)."""

    def __init__(self, folder: Optional[str | Path] = None):
        self.folder = str(folder) if folder is not None else None
        self._process: Any = None
        self._conn: Any = None

    def start(self) -> None:
        """Start the process (it imports great-expectations at once); again: nothing."""
        if self._process is not None:
            return
        ctx = workers._context(PRELOAD)
        self._conn, child = ctx.Pipe(duplex=True)
        setup = (logs.levels(), quiet.wanted(), logs.library_file())  # as a worker's: the caller's, as they are
        self._process = ctx.Process(target=_serve, args=(child, *setup), daemon=True, name="payerkg-validator")
        with workers._without_main():
            self._process.start()
        child.close()

    def run(
        self,
        con: duckdb.DuckDBPyConnection,
        build_id: int,
        vocab: Vocabulary,
        today: Optional[date] = None,
        passed: Passed = (),
    ) -> ValidationReport:
        """The suites on what ``con`` sees now (its open transaction's rows), validated in the process."""
        from warehouse.batches import write_batches

        self.start()
        with tempfile.TemporaryDirectory(dir=self.folder, prefix="payerkg-validate-") as folder:
            files = write_batches(con, build_id, passed, folder)
            try:
                self._conn.send((files, build_id, vocab, today or date.today(), set(passed)))
                reply = self._conn.recv()
            except (EOFError, OSError) as e:
                code = self._process.exitcode if self._process is not None else None
                raise ValidationFailed(f"the validation process died (exit status {code})") from e
        if isinstance(reply, ValidationReport):
            return reply
        raise ValidationFailed(f"validation failed in its process:\n{reply}")

    def close(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(STOP_GRACE)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
        self._process.close()
        self._process = self._conn = None

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(
    conn: Any, log_levels: tuple[tuple[str, int], ...], library_warnings: bool, library_log: Optional[Path]
) -> None:
    workers._die_with_parent()
    _name_process(b"payerkg-validat")  # what ps and /proc/PID/comm show (15 bytes at most)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's: it rolls back and stops this
    if not logging.getLogger().handlers:  # as a worker logs (``payerkg.parsing``)
        logs.replicate(log_levels, library_log)
    if not library_warnings:
        quiet.silence()
    from warehouse.gx import import_gx
    from warehouse.validate import validate_files

    import_gx()  # while the build parses
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the driver is gone
            return
        if job is None:
            return
        try:
            reply: Any = validate_files(*job)
        except Exception:  # the driver raises it, and the build rolls back
            reply = traceback.format_exc()
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _name_process(name: bytes) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)
