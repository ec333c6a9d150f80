"""Web page → Document with beautifulsoup4 (lxml).

Only the main content is read: ``<main>`` / ``role=main`` / ``<article>`` when present, else the
body without site chrome. Dropped everywhere: scripts, styles, ``<noscript>``, templates, forms,
navigation, banners, footers, cookie/consent dialogs and visually-hidden helpers. Accordion
panels are kept even when ``hidden`` (their text is content a user can open). Structure kept:
``h1``–``h6`` and accordion triggers as headings, ``<table>`` as table blocks, nested
``<ul>/<ol>`` as list depth, ``<figcaption>``/``<caption>`` as captions, bold from
``<strong>/<b>``.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .assemble import DocumentBuilder, clean_inline
from .errors import input_error
from .model import BlockKind, Document, MediaType, TableRow

DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav",
             "header", "footer", "aside", "form", "button", "select", "input", "object", "img",
             "link", "meta"}
DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "complementary"}
#: class/id fragments that mark page furniture in common CMSs and consent managers.
CHROME_MARKERS = re.compile(
    r"(cookie|consent|onetrust|gdpr|skip-link|visually-hidden|sr-only|screen-reader|breadcrumb|"
    r"site-header|site-footer|controlheader|social-share|print-only)",
    re.IGNORECASE,
)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "table", "h1", "h2",
              "h3", "h4", "h5", "h6", "dl", "dt", "dd", "blockquote", "figure", "figcaption",
              "pre", "address", "details", "summary", "fieldset", "caption", "body", "hr", "br"}
HEADING_RE = re.compile(r"^h([1-6])$")
BOLD_TAGS = {"strong", "b"}


def _is_chrome(tag: Tag) -> bool:
    if tag.name in DROP_TAGS:
        # a trigger button inside a heading (accordion title) is content, not chrome
        return not (tag.name == "button" and tag.find_parent(HEADING_RE) is not None)
    if (tag.get("role") or "").lower() in DROP_ROLES:
        return True
    marker = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
    if marker and CHROME_MARKERS.search(marker):
        return True
    if tag.get("aria-hidden") == "true" and not tag.find(HEADING_RE):
        return True
    return False


def _content_root(soup: BeautifulSoup) -> Tag:
    for finder in (lambda: soup.find("main"), lambda: soup.find(attrs={"role": "main"}),
                   lambda: soup.find("article"), lambda: soup.body, lambda: soup):
        root = finder()
        if root is not None:
            return root
    return soup


class _Walker:
    def __init__(self) -> None:
        self.b = DocumentBuilder()

    # inline text with bold spans ----------------------------------------------------------
    def inline(self, nodes) -> tuple[str, list[tuple[int, int]]]:
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        length = 0

        def walk(node, bold: bool) -> None:
            nonlocal length
            if isinstance(node, Comment):
                return
            if isinstance(node, NavigableString):
                s = re.sub(r"\s+", " ", str(node))
                if not s:
                    return
                if parts and parts[-1].endswith(" ") and s.startswith(" "):
                    s = s.lstrip()
                if not parts and s.startswith(" "):
                    s = s.lstrip()
                if bold and s.strip():
                    lead = len(s) - len(s.lstrip())
                    spans.append((length + lead, length + len(s.rstrip())))
                parts.append(s)
                length += len(s)
                return
            if not isinstance(node, Tag) or _is_chrome(node):
                return
            if node.name == "br":
                walk(NavigableString(" "), bold)
                return
            for child in node.children:
                walk(child, bold or node.name in BOLD_TAGS)

        for n in nodes:
            walk(n, False)
        text = "".join(parts)
        stripped = text.rstrip()
        spans = [(a, min(b, len(stripped))) for a, b in spans if a < len(stripped)]
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and stripped[merged[-1][1]:a].strip() == "":
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return stripped, merged

    # blocks --------------------------------------------------------------------------------
    def emit_inline_run(self, nodes, kind: BlockKind, level: int) -> None:
        text, bold = self.inline(nodes)
        if text.strip():
            if kind is BlockKind.HEADING:
                self.b.heading(text, level, 1, bold)
            else:
                self.b.block(kind, text, 1, level, bold)

    def children_blocks(self, tag: Tag, kind: BlockKind, level: int, list_depth: int) -> None:
        """Emit the children of ``tag``: runs of inline content as one block each."""
        run: list = []
        for child in tag.children:
            if isinstance(child, Tag) and (child.name in BLOCK_TAGS or child.find(BLOCK_TAGS - {"br"})):
                if child.name == "br":
                    continue
                self.emit_inline_run(run, kind, level)
                run = []
                kind = BlockKind.PARAGRAPH if kind is BlockKind.LIST_ITEM else kind
                self.visit(child, list_depth)
            else:
                run.append(child)
        self.emit_inline_run(run, kind, level)

    def visit(self, tag: Tag, list_depth: int = 0) -> None:
        if not isinstance(tag, Tag) or _is_chrome(tag):
            return
        name = tag.name
        m = HEADING_RE.match(name or "")
        if m:
            self.emit_inline_run(tag.children, BlockKind.HEADING, int(m.group(1)))
            return
        if name in ("ul", "ol"):
            for li in tag.find_all("li", recursive=False):
                self.children_blocks(li, BlockKind.LIST_ITEM, list_depth + 1, list_depth + 1)
            return
        if name == "table":
            self.table(tag)
            return
        if name in ("figcaption", "caption"):
            self.emit_inline_run(tag.children, BlockKind.CAPTION, 0)
            return
        if name == "summary":
            self.emit_inline_run(tag.children, BlockKind.HEADING, 6)
            return
        self.children_blocks(tag, BlockKind.PARAGRAPH, 0, list_depth)

    def table(self, table: Tag) -> None:
        caption = table.find("caption")
        if caption is not None:
            self.emit_inline_run(caption.children, BlockKind.CAPTION, 0)
        rows: list[TableRow] = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue
            cells = tr.find_all(["td", "th"], recursive=False)
            if not cells:
                continue
            texts = []
            for c in cells:
                lines = []
                for block in _cell_items(c):
                    lines.append(block)
                texts.append("\n".join(lines))
            header = all(c.name == "th" for c in cells) or tr.find_parent("thead") is not None
            rows.append(TableRow(cells=tuple(texts), page=1, header=header))
        self.b.table(rows)


def _cell_items(cell: Tag) -> list[str]:
    """A cell's distinct items (paragraphs, list items) as lines; inline text joined by spaces."""
    items = cell.find_all(["p", "li", "div"])
    leaf_items = [i for i in items if not i.find(["p", "li", "div"])]
    if not leaf_items:
        return [clean_inline(cell.get_text(" "))] if cell.get_text(strip=True) else []
    out = []
    for i in leaf_items:
        t = clean_inline(i.get_text(" "))
        if t:
            out.append(t)
    return out


def parse_html(data: str, source: str, doc_id: str, size_bytes: int) -> Document:
    soup = BeautifulSoup(data, "lxml")
    root = _content_root(soup)
    w = _Walker()
    w.visit(root)
    doc = w.b.build(doc_id=doc_id, source=source, media_type=MediaType.HTML, page_count=1,
                    size_bytes=size_bytes,
                    fallback_title=(soup.title.get_text(strip=True) if soup.title else "") or source)
    if not doc.blocks:
        raise input_error(source, "E120", "no text in the main content")
    return doc
