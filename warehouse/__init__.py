"""Stage 4: DuckDB tables and views, loaded one transaction per build; ``who`` answers from them."""

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
