"""Every error payerkg raises on purpose, in one namespace.

``PayerkgError`` is the base; ``InputError`` means a document could not be used (bad input, not a
defect in payerkg); the warehouse's errors say what went wrong with the database. The CLI maps them
to exit statuses in one place (``payerkg.cli.exit_code``).
"""

from __future__ import annotations

from ingest import InputError, PayerkgError
from warehouse.errors import (
    ArgumentError,
    LoadError,
    NoDatabaseError,
    QueryError,
    RetirementRefusedError,
    SchemaVersionError,
    WarehouseError,
)


class ConfigError(ArgumentError):
    """A setting (argument or ``PAYERKG_*`` variable) has a value payerkg cannot use."""


__all__ = [
    "ArgumentError",
    "ConfigError",
    "InputError",
    "LoadError",
    "NoDatabaseError",
    "PayerkgError",
    "QueryError",
    "RetirementRefusedError",
    "SchemaVersionError",
    "WarehouseError",
]
