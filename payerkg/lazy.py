"""Modules imported on first use, for the CLI: ``payerkg --help`` and ``payerkg ingest`` then never load
DuckDB, Arrow or the warehouse; a command imports what it needs when it runs."""

from __future__ import annotations

import importlib
from typing import Any


class OnFirstUse:
    """Stands for module ``name`` and imports it when an attribute is first read."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)
