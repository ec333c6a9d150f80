"""Web page → Document with beautifulsoup4 (lxml).

Only the main content is read: ``<main>`` / ``role=main`` / ``<article>`` when present, else the
body without site chrome. Dropped everywhere: scripts, styles, ``<noscript>``, templates, forms
and their labels, navigation, site banners and footers, cookie/consent dialogs, visually-hidden
helpers, decorative ``aria-hidden`` icons and UI links (``javascript:``, share-by-mail).

Content that is only hidden until the reader opens it *is* content: accordion and FAQ panels,
tab panels and ``<details>`` are kept whether they carry ``hidden``, ``aria-hidden="true"``,
``display:none`` or a ``collapse`` class. Inside the content root, ``<aside>`` boxes and an
article's own ``<header>``/``<footer>`` are content too; outside it they are sidebars and site
chrome.

Structure kept: ``h1``–``h6``, accordion triggers and ``<summary>`` as headings; a tab's label
as a heading over its panel, one level above the panel's own headings; ``<table>`` as table
blocks on a full grid (row/col spans expanded), unless the table only lays the page out
(``role="presentation"``, or headings in its cells: then it is read like ``<div>``s); nested
``<ul>/<ol>`` as list depth with the item's marker; ``<figcaption>``/``<caption>`` as
captions; bold from ``<strong>/<b>``; ``<sup>`` digits as ¹²³. A tab panel, sidebar box,
accordion panel or ``<details>`` is a section scope: the headings opened inside close when it
ends; so does a ``<section>``/``<article>`` that held a heading and its content (one holding
only a title is the title of what follows).

The walk is iterative (an explicit stack), so nesting depth costs no Python recursion and the
time is linear in the size of the page.

The publisher's marks that the content lacks — ``<title>``, author/site-name meta tags,
JSON-LD publisher, the site header/footer text, logo ``alt`` text and the hosts of links — go to
``Document.furniture``.

Modules: this one holds the walk; ``html_nodes`` what is chrome and how inline text is
gathered, ``html_tables`` the table grid, ``html_furniture`` the publisher's marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from .assemble import DocumentBuilder, Sections, clean_inline
from .errors import input_error
from .html_furniture import furniture
from .html_nodes import (
    BLOCK_TAGS,
    BOLD_TAGS,
    HEADING_RE,
    HEADING_TAGS,
    NON_TEXT_STRINGS,
    REGION_TAGS,
    SECTIONING_TAGS,
    SKIP_NODE_TYPES,
    Run,
    attr,
    has_letters,
    inline_events,
    is_always_chrome,
    sup_text,
    text_within,
    to_int,
)
from .html_soup import make_soup
from .html_tables import table_grid
from .limits import check_html_elements
from .model import BlockKind, Document, MediaType

#: A tab's label is a few words; reading stops after this many characters or nodes (a tab
#: wrapped around a whole page, or tabs nested in tabs, would otherwise be read again per tab).
MAX_LABEL_CHARS = 300
MAX_LABEL_NODES = 200


def _label(tab: Tag) -> str:
    return clean_inline(text_within(tab, MAX_LABEL_CHARS, MAX_LABEL_NODES, " ")[0])


def _mark_ancestors(nodes: Iterable[PageElement], marked: set[int], stop: Callable[[Tag], None] | None = None) -> None:
    """Add the ids of the ancestors of ``nodes`` to ``marked``; a walk stops at an ancestor
    already marked, so the whole costs linear time."""
    for n in nodes:
        p = n.parent
        while p is not None and id(p) not in marked:
            marked.add(id(p))
            if stop is not None:
                stop(p)
            p = p.parent


class _InChrome:
    """Is an element inside an always-chrome ancestor? The answer for every element passed on
    the way up is remembered, so asking about many elements costs linear time in all."""

    def __init__(self) -> None:
        self.known: dict[int, bool] = {}  # id -> the element or an ancestor is always chrome

    def __call__(self, el: Tag) -> bool:
        path: list[Tag] = []
        p = el.parent
        while isinstance(p, Tag) and id(p) not in self.known:
            path.append(p)
            if is_always_chrome(p):
                value = True
                break
            p = p.parent
        else:
            value = self.known.get(id(p), False) if isinstance(p, Tag) else False
        for q in path:
            self.known[id(q)] = value
        return value


class _Page:
    """What the walker needs to know about the whole page, gathered in one pass (linear time)."""

    def __init__(self, soup: BeautifulSoup, source: str = ""):
        self.source = source
        self.root: Tag | None = None  # set by the caller once the content root is chosen
        self.ids: dict[str, Tag] = {}
        self.main: Tag | None = None  # the first <main>, role=main, <article>
        self.role_main: Tag | None = None
        self.article: Tag | None = None
        self.metas: list[Tag] = []
        self.jsonld: list[Tag] = []
        self.links: list[Tag] = []
        tabs: list[Tag] = []
        panels: list[Tag] = []
        triggers: list[Tag] = []
        aria_hidden: list[Tag] = []
        headings: list[Tag] = []
        worded_strings: list = []
        self.layout_tables: set[int] = set()
        for el in soup.descendants:
            if not isinstance(el, Tag):
                if isinstance(el, NavigableString) and not isinstance(el, NON_TEXT_STRINGS) and has_letters(el):
                    worded_strings.append(el)
                continue
            name = el.name
            i = el.get("id")
            if isinstance(i, str) and i and i not in self.ids:
                self.ids[i] = el
            role = attr(el, "role").lower()
            if name == "main" and self.main is None:
                self.main = el
            elif name == "article" and self.article is None:
                self.article = el
            elif name == "meta":
                self.metas.append(el)
            elif name == "script" and attr(el, "type").lower() == "application/ld+json":
                self.jsonld.append(el)
            elif name in ("a", "link") and el.get("href"):
                self.links.append(el)
            elif name in HEADING_TAGS:
                headings.append(el)
            elif name == "table" and role in ("presentation", "none"):
                self.layout_tables.add(id(el))
            if role == "main" and self.role_main is None:
                self.role_main = el
            if role == "tab":
                tabs.append(el)
            elif role == "tabpanel":
                panels.append(el)
            elif el.get("aria-controls") and (
                el.has_attr("aria-expanded")
                or attr(el, "data-toggle") == "collapse"
                or attr(el, "data-bs-toggle") == "collapse"
            ):
                triggers.append(el)
            if attr(el, "aria-hidden").lower() == "true":
                aria_hidden.append(el)
        # facts about what an element holds, each found by walking up from the nodes that have
        # them and stopping at an ancestor that already knows: linear, whatever the depth
        worded: set[int] = set()  # ids of the elements holding a word
        _mark_ancestors(worded_strings, worded)
        #: the lowest heading level inside an element (tab panels nest their label above it)
        self.min_heading: dict[int, int] = {}
        for h in headings:
            level, p = int(h.name[1]), h.parent
            while p is not None and self.min_heading.get(id(p), 7) > level:
                self.min_heading[id(p)] = level
                p = p.parent
        # tab panels and their labels
        self.tab_label: dict[int, str] = {}
        self.used_tabs: set[int] = set()
        for tab in tabs:
            href = attr(tab, "href")
            target = attr(tab, "aria-controls").split()[:1] or ([href[1:]] if href.startswith("#") else [])
            panel = self.ids.get(target[0]) if target else None
            label = _label(tab) if panel is not None else ""
            if label:
                self.tab_label.setdefault(id(panel), label)
                self.used_tabs.add(id(tab))
        for panel in panels:
            if id(panel) in self.tab_label or not attr(panel, "aria-labelledby").split():
                continue
            by = self.ids.get(attr(panel, "aria-labelledby").split()[0])
            if by is not None and attr(by, "role").lower() == "tab":
                label = _label(by)
                if label:
                    self.tab_label[id(panel)] = label
                    self.used_tabs.add(id(by))
        # a tablist is chrome when every tab in it labels a panel
        self.unused_tab_inside: set[int] = set()
        _mark_ancestors([t for t in tabs if id(t) not in self.used_tabs], self.unused_tab_inside)
        # accordion triggers: the control's panel (kept even when hidden) is its section; a
        # menu toggle whose panel is empty or elsewhere is no trigger
        self.trigger_panel: dict[int, Tag] = {}
        in_chrome = _InChrome()
        for t in triggers:
            panel = self.ids.get(attr(t, "aria-controls").split()[0])
            if panel is not None and panel is not t and id(panel) in worded and not in_chrome(panel):
                self.trigger_panel[id(t)] = panel
        #: the first accordion trigger inside each element, in document order (a heading holding one
        #: opens the trigger's panel): walks up stop at an element already known, so linear in all
        self.first_trigger: dict[int, Tag] = {}
        for t in triggers:
            if id(t) in self.trigger_panel:
                p = t.parent
                while p is not None and id(p) not in self.first_trigger:
                    self.first_trigger[id(p)] = t
                    p = p.parent
        # layout tables also: headings inside (a grid cell holds no section title)
        _mark_ancestors(headings, set(), lambda p: self.layout_tables.add(id(p)) if p.name == "table" else None)
        # aria-hidden nodes with words are collapsed panels, not decoration
        self.decorative = {id(el) for el in aria_hidden if id(el) not in worded}

    def content_root(self, soup: BeautifulSoup) -> Tag:
        for root in (self.main, self.role_main, self.article, soup.body):
            if root is not None:
                return root
        return soup


# -- the walk ---------------------------------------------------------------------------------
class _Frame:
    """One open element of the iterative walk."""

    __slots__ = (
        "bold",
        "children",
        "first_block",
        "in_section",
        "li",
        "li_done",
        "list_depth",
        "list_frame",
        "marker",
        "ol_next",
        "outline",
        "restore",
        "shift",
        "tag",
    )

    def __init__(
        self,
        tag: Tag,
        children: Iterator[PageElement],
        *,
        bold: bool = False,
        list_depth: int = 0,
        li: bool = False,
        marker: str = "",
        restore: Sections | None = None,
        shift: int = 0,
        in_section: bool = False,
        ol_next: int | None = None,
    ) -> None:
        self.tag = tag
        self.children = children
        self.bold = bold
        self.list_depth = list_depth
        self.li = li
        self.li_done = False
        self.marker = marker
        self.restore = restore  # section snapshot to go back to when this element ends
        self.shift = shift  # added to the level of headings inside (tab panels)
        self.in_section = in_section
        self.ol_next = ol_next  # next number of an <ol>
        self.outline: Sections | None = None  # <section>/<article>: sections to restore if it held a whole section
        self.list_frame: _Frame | None = None  # the innermost open <ul>/<ol>/<li> frame (this one if it is one)
        self.first_block = 0


#: Roman numerals past this are written as numbers (and a hostile ``start`` costs nothing).
MAX_ROMAN = 3999


def _ol_marker(n: int, kind: str) -> str:
    """The marker of item ``n`` of an ``<ol type=kind>``: "3.", "c.", "iii."."""
    if n > 0 and kind in ("a", "A"):
        s = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            s = chr(ord("a") + r) + s
        return (s.upper() if kind == "A" else s) + "."
    if 0 < n <= MAX_ROMAN and kind in ("i", "I"):
        s, left = "", n
        for v, numeral in (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ):
            while v <= left:
                s, left = s + numeral, left - v
        return (s.upper() if kind == "I" else s) + "."
    return f"{n}."


class _Walker:
    def __init__(self, page: _Page, content_root_is_main: bool) -> None:
        self.b = DocumentBuilder(page.source)
        self.page = page
        self.root_is_main = content_root_is_main
        self.run = Run()
        self.stack: list[_Frame] = []
        self._pending_scope: dict[int, tuple] = {}  # id(panel) -> sections to restore at its end

    # context -------------------------------------------------------------------------------
    def _chrome(self, tag: Tag, frame: _Frame) -> bool:
        if is_always_chrome(tag):
            return True
        name = tag.name
        if name in REGION_TAGS and not frame.in_section:
            return True
        if (name == "aside" or attr(tag, "role").lower() == "complementary") and not self.root_is_main:
            return True
        if id(tag) in self.page.decorative:
            return True
        if attr(tag, "role").lower() == "tablist" and id(tag) not in self.page.unused_tab_inside:
            return True
        return id(tag) in self.page.used_tabs

    # emitting ------------------------------------------------------------------------------
    def flush(self) -> None:
        text, bold = self.run.take()
        if not text.strip() or not has_letters(text):
            return
        li = self.stack[-1].list_frame if self.stack else None
        if li is not None and li.li and not li.li_done:
            li.li_done = True
            self.b.block(BlockKind.LIST_ITEM, text, 1, li.list_depth, bold, marker=li.marker)
        else:
            self.b.block(BlockKind.PARAGRAPH, text, 1, 0, bold)

    def emit_inline(self, tag: Tag, kind: BlockKind, level: int = 0) -> None:
        """Everything inside ``tag`` as one block (headings, captions: blocks inside are spaces)."""
        run = Run()
        skip = self._chrome_in_title if kind is BlockKind.HEADING else self._chrome_inline
        for kind_, value, bold in inline_events(tag, skip):
            if kind_ == "text":
                run.add(value, bold)
            elif kind_ == "sup":
                run.attach(value, bold)
            else:
                run.space()
        text, spans = run.take()
        if not text.strip() or not has_letters(text):
            return
        if kind is BlockKind.HEADING:
            self.b.heading(text, level, 1, spans)
        else:
            self.b.block(kind, text, 1, 0, spans)

    def _chrome_inline(self, tag: Tag) -> bool:
        """Chrome inside a table cell or caption."""
        return is_always_chrome(tag) or id(tag) in self.page.decorative

    def _chrome_in_title(self, tag: Tag) -> bool:
        """Chrome inside a heading: the accordion's trigger button there *is* the title."""
        if tag.name == "button" or id(tag) in self.page.trigger_panel:
            return id(tag) in self.page.decorative
        return self._chrome_inline(tag)

    # the walk ------------------------------------------------------------------------------
    def walk(self, root: Tag) -> None:
        self.stack.append(_Frame(root, iter(root.children), in_section=root.name in SECTIONING_TAGS))
        while self.stack:
            frame = self.stack[-1]
            child = next(frame.children, None)
            if child is None:
                self._close(frame)
                self.stack.pop()
                continue
            if isinstance(child, SKIP_NODE_TYPES):
                continue
            if isinstance(child, NavigableString):
                self.run.add(str(child), frame.bold)
                continue
            if not isinstance(child, Tag):
                continue
            self._open(child, frame)

    def _close(self, frame: _Frame) -> None:
        name = frame.tag.name
        if name in BLOCK_TAGS or frame.restore is not None:
            self.flush()
        if frame.restore is not None:
            self.b.restore_sections(frame.restore)
        elif frame.outline is not None and self._held_section(frame.first_block):
            self.b.restore_sections(frame.outline)

    def _held_section(self, first: int) -> bool:
        """A heading and then content were emitted since block ``first``: the element was a
        whole section, so its headings end with it. (A ``<section>`` holding only a title is
        the title of what follows, and stays open.)"""
        return self.b.heading_then_content_since(first)

    def _open(self, tag: Tag, parent: _Frame) -> None:
        name = tag.name
        if id(tag) not in self.page.trigger_panel and self._chrome(tag, parent):
            return
        if name == "br":
            self.run.space()
            return
        if name == "sup":
            sup = sup_text(tag)
            if sup is not None:
                self.run.attach(sup, parent.bold)
                return
        m = HEADING_RE.match(name)
        in_section = parent.in_section or name in SECTIONING_TAGS
        if m:
            self.flush()
            trigger = self.page.first_trigger.get(id(tag))
            snapshot = self.b.open_sections()
            self.emit_inline(tag, BlockKind.HEADING, max(1, int(m.group(1)) + parent.shift))
            if trigger is not None:
                self._scope_panel(self.page.trigger_panel[id(trigger)], snapshot)
            return
        if id(tag) in self.page.trigger_panel:  # a bare accordion button / link
            self.flush()
            snapshot = self.b.open_sections()
            self.emit_inline(tag, BlockKind.HEADING, self.b.current_level + 1)
            self._scope_panel(self.page.trigger_panel[id(tag)], snapshot)
            return
        if name == "table" and id(tag) not in self.page.layout_tables:
            self.flush()
            self.table(tag)
            return
        if name in ("figcaption", "caption"):
            self.flush()
            self.emit_inline(tag, BlockKind.CAPTION)
            return
        if name == "summary":
            self.flush()
            self.emit_inline(tag, BlockKind.HEADING, self.b.current_level + 1)
            return
        frame = _Frame(
            tag,
            iter(tag.children),
            bold=parent.bold or name in BOLD_TAGS,
            list_depth=parent.list_depth,
            shift=parent.shift,
            in_section=in_section,
        )
        frame.list_frame = frame if name in ("ul", "ol", "li") else parent.list_frame
        frame.restore = self._pending_scope.pop(id(tag), None)
        if name in BLOCK_TAGS:
            self.flush()
        if name in ("ul", "ol"):
            frame.list_depth = parent.list_depth + 1
            if name == "ol":
                frame.ol_next = to_int(tag.get("start"), 1)
        elif name == "li":
            owner = parent if parent.tag.name in ("ul", "ol") else None
            frame.li = True
            frame.list_depth = max(parent.list_depth, 1)
            if owner is not None and owner.tag.name == "ol":
                n = to_int(tag.get("value"), owner.ol_next if owner.ol_next is not None else 1)
                owner.ol_next = n + 1
                frame.marker = _ol_marker(n, attr(owner.tag, "type") or "1")
            else:
                frame.marker = "•"
        if name in ("section", "article") and tag is not self.page.root:
            frame.outline = self.b.open_sections()
            frame.first_block = self.b.block_count
        if name in ("aside", "details") or attr(tag, "role").lower() == "complementary":
            frame.restore = self.b.open_sections() if frame.restore is None else frame.restore
        label = self.page.tab_label.get(id(tag))
        if label is not None:
            snapshot = self.b.open_sections()
            inner = self.page.min_heading.get(id(tag))  # the panel's outermost heading level
            level = (inner - 1) if inner else self.b.current_level + 1
            level = max(level + parent.shift, 1)
            if level <= self.b.current_level and snapshot:
                level = self.b.current_level + 1
            # headings inside the panel nest under the label
            frame.shift = (level + 1 - inner) if inner and level + 1 > inner + parent.shift else parent.shift
            self.b.heading(label, level, 1)
            frame.restore = snapshot if frame.restore is None else frame.restore
        self.stack.append(frame)

    def _scope_panel(self, panel: Tag, snapshot: Sections) -> None:
        """When ``panel`` ends, close the trigger's heading again."""
        self._pending_scope[id(panel)] = snapshot

    # tables --------------------------------------------------------------------------------
    def table(self, table: Tag) -> None:
        caption = next((c for c in table.children if isinstance(c, Tag) and c.name == "caption"), None)
        if caption is not None:
            self.emit_inline(caption, BlockKind.CAPTION)
        rows = table_grid(table, self._chrome_inline)
        self.b.table(rows)


def parse_html(data: str, source: str, doc_id: str, size_bytes: int) -> Document:
    """Parse a web page. Raises ``InputError`` E120 (no content) or E142 (more elements than
    ``limits.MAX_HTML_ELEMENTS``)."""
    check_html_elements(data, source)
    soup = make_soup(data)
    page = _Page(soup, source)
    root = page.content_root(soup)
    page.root = root
    root_is_main = root.name in ("main", "article") or attr(root, "role").lower() == "main"
    w = _Walker(page, root_is_main)
    w.walk(root)
    w.flush()
    doc = w.b.build(
        doc_id=doc_id,
        source=source,
        media_type=MediaType.HTML,
        page_count=1,
        size_bytes=size_bytes,
        fallback_title=(soup.title.get_text(strip=True) if soup.title else "") or source,
        furniture=furniture(soup, page.metas, page.jsonld, page.links),
    )
    if not doc.blocks:
        raise input_error(source, "E120", "no text in the main content")
    return doc
