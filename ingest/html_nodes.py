"""Element-level helpers of the HTML reader: attributes, what is chrome wherever it stands,
and inline text with bold spans collected without recursion."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bs4 import Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction, Script, Stylesheet, TemplateString

#: Never content, wherever they are.
DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "nav",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "label",
    "object",
    "img",
    "link",
    "meta",
    "head",
    "title",
}
#: Page regions that are site chrome unless they sit inside a sectioning element (an article's
#: own header with its title and date is content).
REGION_TAGS = {"header", "footer"}
SECTIONING_TAGS = {"article", "main", "section", "aside"}
DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar", "toolbar"}
#: class/id fragments that mark page furniture in common CMSs and consent managers.
CHROME_MARKERS = re.compile(
    r"(cookie|consent|onetrust|gdpr|skip-link|visually-hidden|sr-only|screen-reader|breadcrumb|"
    r"(?<![a-z])crumbs(?![a-z])|site-header|site-footer|controlheader|social-share|print-only|"
    r"expand-all|collapse-all)",
    re.IGNORECASE,
)
#: Links that run a script or open a blank e-mail are page tools ("Print | Email"), not content.
UI_HREF_RE = re.compile(r"^\s*(javascript:|mailto:\?)", re.IGNORECASE)
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "figure",
    "figcaption",
    "pre",
    "address",
    "details",
    "summary",
    "fieldset",
    "caption",
    "body",
    "hr",
    "header",
    "footer",
    "aside",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "center",
    "html",
}
HEADING_RE = re.compile(r"^h([1-6])$")
HEADING_TAGS = {f"h{i}" for i in range(1, 7)}
BOLD_TAGS = {"strong", "b"}
SKIP_NODE_TYPES = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
#: Strings that are never read as text (what ``get_text`` leaves out too).
NON_TEXT_STRINGS = (*SKIP_NODE_TYPES, Script, Stylesheet, TemplateString)
#: Is an element chrome to skip (with all it holds)? The walker's answer, handed to the readers.
IsChrome = Callable[[Tag], bool]
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def attr(tag: Tag, name: str) -> str:
    v = tag.get(name)
    if isinstance(v, list):
        return " ".join(v)
    return v or ""


def marker_text(tag: Tag) -> str:
    return " ".join([attr(tag, "id"), *list(tag.get("class") or [])])


def is_always_chrome(tag: Tag) -> bool:
    """Chrome whatever its context (context-dependent regions are decided by the walker)."""
    name = tag.name
    if name in DROP_TAGS:
        return True
    if attr(tag, "role").lower() in DROP_ROLES:
        return True
    marker = marker_text(tag)
    if marker.strip() and CHROME_MARKERS.search(marker):
        return True
    return bool(name == "a" and UI_HREF_RE.match(attr(tag, "href")))


# -- inline text ------------------------------------------------------------------------------
def collapse_space(raw: str) -> str:
    r"""``re.sub(r"\s+", " ", raw)``, by ``str.split`` (the same whitespace): in C, where the regex
    costs a Python call per run of space (a text node of 20 million words took 20 s)."""
    inner = " ".join(raw.split())
    if not inner:
        return " " if raw else ""
    return (" " if raw[0].isspace() else "") + inner + (" " if raw[-1].isspace() else "")


class Run:
    """Inline text being collected for one block, with bold spans (offsets into the text)."""

    __slots__ = ("length", "parts", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int]] = []

    def add(self, raw: str, bold: bool) -> None:
        s = collapse_space(raw)
        if not s:
            return
        if (not self.parts or self.parts[-1].endswith(" ")) and s.startswith(" "):
            s = s.lstrip()
            if not s:
                return
        if bold and s.strip():
            lead = len(s) - len(s.lstrip())
            self.spans.append((self.length + lead, self.length + len(s.rstrip())))
        self.parts.append(s)
        self.length += len(s)

    def attach(self, s: str, bold: bool) -> None:
        """Add ``s`` right after the previous word (a superscript footnote reference)."""
        if self.parts and self.parts[-1].endswith(" "):
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
            # spans are in text order: only the last ones can reach past the new end
            i = len(self.spans) - 1
            while i >= 0 and self.spans[i][1] > self.length:
                self.spans[i] = (self.spans[i][0], self.length)
                i -= 1
        self.add(s, bold)

    def space(self) -> None:
        if self.parts and not self.parts[-1].endswith(" "):
            self.parts.append(" ")
            self.length += 1

    def take(self) -> tuple[str, list[tuple[int, int]]]:
        text = "".join(self.parts)
        stripped = text.rstrip()
        spans = [(a, min(b, len(stripped))) for a, b in self.spans if a < len(stripped)]
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and stripped[merged[-1][1] : a].strip() == "":
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        self.parts, self.length, self.spans = [], 0, []
        return stripped, merged


#: A footnote reference is a few digits: a ``<sup>`` with this many characters, or this many
#: nodes inside, is ordinary text. Looking no further keeps nested ``<sup>``s linear.
MAX_SUP_CHARS = 8
MAX_SUP_NODES = 16


def text_within(tag: Tag, max_chars: int, max_nodes: int, sep: str = "") -> tuple[str, bool]:
    """The text inside ``tag`` (strings joined by ``sep``), reading at most ``max_nodes`` nodes
    and ``max_chars`` characters, and whether that was all of it. Bounded work, however large or
    deep the element: what ``get_text`` would give for small elements."""
    parts: list[str] = []
    length = nodes = 0
    stack = [iter(tag.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        nodes += 1
        if nodes > max_nodes:
            return sep.join(parts), False
        if isinstance(node, Tag):
            stack.append(iter(node.children))
        elif isinstance(node, NavigableString) and not isinstance(node, NON_TEXT_STRINGS):
            parts.append(str(node)[: max_chars - length + 1])
            length += len(node)
            if length > max_chars:
                return sep.join(parts)[:max_chars], False
    return sep.join(parts), True


def sup_text(tag: Tag) -> str | None:
    """A ``<sup>`` holding only digits is a footnote reference: Unicode superscript digits."""
    text, complete = text_within(tag, MAX_SUP_CHARS - 1, MAX_SUP_NODES)
    text = text.strip()
    return text.translate(SUPERSCRIPT_DIGITS) if complete and text.isdigit() else None


#: A letter or digit: what ``str.isalnum`` accepts (``\w`` is that plus the underscore); its ASCII
#: part, which a regex finds four times faster.
ALNUM_RE = re.compile(r"[^\W_]")
ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]")


def has_letters(text: str) -> bool:
    """Does ``text`` hold a letter or digit? Searched in C (a text node of megabytes of punctuation
    took 20 s character by character): ASCII first, the rest of Unicode only if ``text`` has any."""
    return ASCII_ALNUM_RE.search(text) is not None or (not text.isascii() and ALNUM_RE.search(text) is not None)


def to_int(value: object, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def inline_events(tag: Tag, is_chrome: IsChrome) -> Iterator[tuple[str, str, bool]]:
    """Yield ("text", str, bold) and ("break", "", False) for everything inside ``tag``,
    iteratively; block boundaries and ``<br>`` are breaks; chrome subtrees are skipped."""
    stack = [(iter(tag.children), tag.name in BOLD_TAGS, True)]
    while stack:
        it, bold, block = stack[-1]
        node = next(it, None)
        if node is None:
            stack.pop()
            if block:
                yield ("break", "", False)
            continue
        if isinstance(node, SKIP_NODE_TYPES):
            continue
        if isinstance(node, NavigableString):
            yield ("text", str(node), bold)
            continue
        if not isinstance(node, Tag) or is_chrome(node):
            continue
        if node.name == "br":
            yield ("break", "", False)
            continue
        if node.name == "sup":
            sup = sup_text(node)
            if sup is not None:
                yield ("sup", sup, bold)
                continue
        is_block = node.name in BLOCK_TAGS
        if is_block:
            yield ("break", "", False)
        stack.append((iter(node.children), bold or node.name in BOLD_TAGS, is_block))
