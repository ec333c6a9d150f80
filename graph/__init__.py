"""Stage 3: ``Statement``s → a networkx knowledge graph with entity resolution."""

from .kg import DocumentInfo, KnowledgeGraph

__all__ = ["DocumentInfo", "KnowledgeGraph"]
