"""A PDF's page tree, walked before any page is read: the page limit (E141) and the tree's depth
(E142) are checked with an explicit stack.

pdfminer's own walk (``PDFPage.create_pages``) recurses, one generator per level of the tree. Under
the default recursion limit a tree thousands deep ends in ``RecursionError``; where the limit is
raised (hypothesis raises it while it draws examples) the same tree overflows the C stack and the
process dies (``make fuzz``'s bounded sample, a 5,000-deep tree: SIGSEGV). Once this walk has passed
a tree, pdfminer's walk of it stays within ``MAX_PDF_TREE_DEPTH`` levels.
"""

from __future__ import annotations

import itertools
from typing import Any

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import dict_value, list_value
from pdfminer.psparser import LIT

from .errors import input_error
from .limits import MAX_PDF_TREE_DEPTH

LITERAL_PAGE = LIT("Page")
LITERAL_PAGES = LIT("Pages")


def check_page_tree(document: PDFDocument, source: str, max_pages: int) -> None:
    """Raise E141 past ``max_pages`` pages (counting stops there) and E142 for a tree deeper than
    ``MAX_PDF_TREE_DEPTH``. Pages are what pdfminer would find: ``/Page`` leaves under ``/Pages``
    nodes with ``/Kids``, each object once; a PDF without a page tree is counted as pdfminer counts
    it (by scanning its objects, which does not recurse)."""
    catalog: dict[str, Any] = document.catalog
    pages = 0
    if "Pages" in catalog:
        stack: list[tuple[Any, int]] = [(catalog["Pages"], 1)]
        seen: set[Any] = set()
        while stack:
            obj, depth = stack.pop()
            objid = obj if isinstance(obj, int) else getattr(obj, "objid", id(obj))
            if objid in seen:
                continue
            seen.add(objid)
            node = dict_value(document.getobj(obj) if isinstance(obj, int) else obj)
            kind = node.get("Type")
            kind = node.get("type") if kind is None else kind
            if kind is LITERAL_PAGES and "Kids" in node:
                if depth > MAX_PDF_TREE_DEPTH:
                    raise input_error(source, "E142", f"a page tree more than {MAX_PDF_TREE_DEPTH} levels deep")
                stack.extend((kid, depth + 1) for kid in reversed(list_value(node["Kids"])))
            elif kind is LITERAL_PAGE:
                pages += 1
                if pages > max_pages:
                    break
    if not pages:  # pdfminer's fallback without a usable tree: every /Page object
        pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(document), max_pages + 1))
    if pages > max_pages:
        raise input_error(source, "E141", f"more than {max_pages:,} pages")
