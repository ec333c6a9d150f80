"""Errors the warehouse raises on purpose. All are ``PayerkgError``s (``ingest.errors``), so the CLI
maps each to an exit status in one place (``payerkg/cli.py``)."""

from __future__ import annotations

from ingest import PayerkgError


class WarehouseError(PayerkgError):
    """The database could not be opened, read or written."""


class LoadError(WarehouseError):
    """A build's load failed and was rolled back: the database is as it was before the build."""


class RetirementRefusedError(LoadError):
    """A build would retire more than half of the active documents under its inputs (their files are
    gone) and was not asked to prune: nothing was written."""


class NoDatabaseError(WarehouseError):
    """The database file does not exist."""


class SchemaVersionError(WarehouseError):
    """The database's schema is not the one this payerkg reads: older (to migrate) or newer (to refuse)."""


class QueryError(WarehouseError):
    """SQL given by the user failed."""


class ArgumentError(PayerkgError):
    """A value given by the user is not one payerkg understands (a segment, a ``--since``, a document id)."""


class DatabaseBusyError(WarehouseError):
    """Another process holds the database (a build writing it, or readers while a build waits)."""
