"""Stage 4: DuckDB tables and views, loaded one transaction per build; ``who`` answers from them."""

from .store import FAULT_ENV, LoadBatch, LoadResult, ParsedDocument, Warehouse, WarehouseError

__all__ = ["FAULT_ENV", "LoadBatch", "LoadResult", "ParsedDocument", "Warehouse", "WarehouseError"]
