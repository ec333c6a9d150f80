"""Every error payerkg raises on purpose, in one namespace, and the codes of documents a build gave up on.

``PayerkgError`` is the base; ``InputError`` means a document could not be used (bad input, not a
defect in payerkg); the warehouse's errors say what went wrong with the database. The CLI maps them
to exit statuses in one place (``payerkg.cli.exit_code``).

A build isolates each document (``payerkg.parsing``): whatever goes wrong while one is read, parsed
or extracted becomes an ``InputError`` with a code — ingest's E1xx, or one of ``DOCUMENT_FAILURES``
— and the rest of the batch loads.
"""

from __future__ import annotations

from pathlib import Path

from ingest import InputError, PayerkgError
from ingest.errors import ERRORS as INGEST_ERRORS
from warehouse.errors import (
    ArgumentError,
    DatabaseBusyError,
    LoadError,
    NoDatabaseError,
    QueryError,
    RetirementRefusedError,
    SchemaVersionError,
    WarehouseError,
)


class ConfigError(ArgumentError):
    """A setting (argument or ``PAYERKG_*`` variable) has a value payerkg cannot use."""


#: Codes of documents a build stopped: limits payerkg enforces around ingest and extraction, and
#: defects. E141 and E142 are ingest's own codes (its page and structure limits, ``ingest.errors``),
#: defined there once; the build also gives E142 to a document that overflows the stack or its worker's
#: memory.
TIME_LIMIT, PAGE_LIMIT, STRUCTURE_LIMIT, INTERNAL = "E140", "E141", "E142", "E150"
DOCUMENT_FAILURES: dict[str, str] = {
    TIME_LIMIT: "time limit exceeded",
    PAGE_LIMIT: INGEST_ERRORS[PAGE_LIMIT],
    STRUCTURE_LIMIT: INGEST_ERRORS[STRUCTURE_LIMIT],
    INTERNAL: "internal error",
}


def document_failure(path: str | Path, code: str, detail: str = "") -> InputError:
    """The ``InputError`` of a document a build gave up on: the code's meaning plus ``detail``."""
    return InputError(path, code, DOCUMENT_FAILURES[code] + (f" ({detail})" if detail else ""))


def one_line(e: BaseException) -> str:
    """An error's message on one line: DuckDB's messages carry the offending SQL and a caret on the
    lines below; the first line says what is wrong."""
    lines = [ln.strip() for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__


def describe(e: BaseException) -> str:
    """What to tell the user about any error, on one line: payerkg's own errors say it already; a file
    system error names its file; anything else is an internal error, named by its type."""
    if isinstance(e, PayerkgError):
        return one_line(e)
    if isinstance(e, OSError) and e.strerror:
        name = e.filename2 or e.filename  # a rename names where it went second
        return f"{name}: {e.strerror}" if name else e.strerror
    return f"internal error ({type(e).__name__}: {one_line(e)})"


__all__ = [
    "DOCUMENT_FAILURES",
    "ArgumentError",
    "ConfigError",
    "DatabaseBusyError",
    "InputError",
    "LoadError",
    "NoDatabaseError",
    "PayerkgError",
    "QueryError",
    "RetirementRefusedError",
    "SchemaVersionError",
    "WarehouseError",
    "describe",
    "document_failure",
    "one_line",
]
