"""The review site (``payerkg report``): static HTML that opens from ``file://`` — no server, no CDN.

``report(db, out)`` → ``SiteReport``. The parts: ``data`` (what the database says), ``marks`` (quotes
highlighted in text), ``images`` (PDF page images, cached by document hash), ``views`` (where each
highlight goes), ``pages`` (the jinja2 templates in ``payerkg/templates/report``), ``generate``.
"""

from .generate import default_out, report
from .model import SiteReport

__all__ = ["SiteReport", "default_out", "report"]
