"""payerkg: a provenance-backed knowledge base of who manages prior authorization for whom.

The library under the CLI (docs/architecture.md). Everything returns typed results and prints
nothing::

    import payerkg

    report = payerkg.build(["seeds/"], db="payerkg.duckdb")      # BuildReport
    with payerkg.open("payerkg.duckdb") as kb:                    # Knowledge
        kb.who("<service>", segment="fully_insured")             # Answer
        kb.conflicts()                                            # [Conflict]
        kb.query("select * from coverage_rules").df()             # pandas
    payerkg.extract("seeds/001_e5baff2b9bde9ead.pdf")             # Extraction
    payerkg.diff("old.pdf", "new.pdf")                            # Diff
    payerkg.report("payerkg.duckdb", "review/")                   # SiteReport (the review site)

The names are imported on first use (PEP 562), so ``import payerkg`` and the CLI's start stay cheap.
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .config import BuildConfig
    from .errors import (
        ArgumentError,
        ConfigError,
        InputError,
        LoadError,
        NoDatabaseError,
        PayerkgError,
        QueryError,
        RetirementRefusedError,
        SchemaVersionError,
        WarehouseError,
    )
    from .knowledge import Knowledge, Rows, acknowledge, extract, extract_all, migrate, open
    from .knowledge import compare as diff
    from .pipeline import BuildReport, build
    from .site import SiteReport, report

_NAMES = {
    "BuildConfig": ("config", "BuildConfig"),
    "BuildReport": ("pipeline", "BuildReport"),
    "build": ("pipeline", "build"),
    "Knowledge": ("knowledge", "Knowledge"),
    "Rows": ("knowledge", "Rows"),
    "open": ("knowledge", "open"),
    "extract": ("knowledge", "extract"),
    "extract_all": ("knowledge", "extract_all"),
    "diff": ("knowledge", "compare"),
    "migrate": ("knowledge", "migrate"),
    "acknowledge": ("knowledge", "acknowledge"),
    "report": ("site", "report"),
    "SiteReport": ("site", "SiteReport"),
    **{
        name: ("errors", name)
        for name in (
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
        )
    },
}

__all__ = [
    "ArgumentError",
    "BuildConfig",
    "BuildReport",
    "ConfigError",
    "InputError",
    "Knowledge",
    "LoadError",
    "NoDatabaseError",
    "PayerkgError",
    "QueryError",
    "RetirementRefusedError",
    "Rows",
    "SchemaVersionError",
    "SiteReport",
    "WarehouseError",
    "__version__",
    "acknowledge",
    "build",
    "diff",
    "extract",
    "extract_all",
    "migrate",
    "open",
    "report",
]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        import importlib

        module, attr = _NAMES[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
