"""payerkg: a provenance-backed knowledge base of who manages prior authorization for whom."""

__version__ = "0.1.0"
