"""Stage 3: ``Statement``s → a networkx knowledge graph with entity resolution (``graph.resolve``).

``KnowledgeGraph`` imports networkx on first use (PEP 562), so ``graph.resolve`` — which ``who`` and
the warehouse's load use — does not pay for it.
"""

from typing import TYPE_CHECKING, Any

from . import resolve

if TYPE_CHECKING:
    from .kg import DocumentInfo, KnowledgeGraph

__all__ = ["DocumentInfo", "KnowledgeGraph", "resolve"]


def __getattr__(name: str) -> Any:
    if name in ("DocumentInfo", "KnowledgeGraph"):
        from . import kg

        return getattr(kg, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
