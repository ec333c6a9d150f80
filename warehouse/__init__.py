"""Stage 4: DuckDB tables and views, loaded one transaction per build; ``who`` answers from them.

A build's records (``warehouse.model``) are imported on first use (PEP 562): reading commands open the
database without them.
"""

from typing import TYPE_CHECKING, Any

from .connection import Warehouse
from .errors import (
    ArgumentError,
    LoadError,
    NoDatabaseError,
    QueryError,
    RetirementRefusedError,
    SchemaVersionError,
    WarehouseError,
)
from .migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from .model import STEPS, LoadBatch, LoadHooks, LoadResult, ParsedDocument

__all__ = [
    "SCHEMA_VERSION",
    "STEPS",
    "ArgumentError",
    "LoadBatch",
    "LoadError",
    "LoadHooks",
    "LoadResult",
    "NoDatabaseError",
    "ParsedDocument",
    "QueryError",
    "RetirementRefusedError",
    "SchemaVersionError",
    "Warehouse",
    "WarehouseError",
]


def __getattr__(name: str) -> Any:
    if name in ("STEPS", "LoadBatch", "LoadHooks", "LoadResult", "ParsedDocument"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
