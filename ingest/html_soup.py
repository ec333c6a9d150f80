"""Markup → a BeautifulSoup tree, in time linear in the markup however deep it nests.

lxml (libxml2) reads pages fast, but two of its costs grow with the nesting depth: libxml2
searches its open elements for every end tag that closes none of them (25,000 levels and
100,000 such tags took 22 s), and BeautifulSoup walks up the open elements to link new nodes
(8,000 levels of mixed text took 50 s). So:

* a page is read with lxml while its elements nest at most ``MAX_HTML_DEPTH`` deep — real pages
  nest 15–40 deep, so this is almost every page, read exactly as before;
* a page that goes deeper stops lxml at once and is read again with Python's ``html.parser``,
  which finds the element an end tag closes by counting open names, with elements below
  ``MAX_HTML_DEPTH`` left out: their text flows into the deepest element kept, a space standing
  for each left-out block boundary, and the text of left-out scripts and styles goes with them.

Warnings of either parser go to the ``logging`` module (logger ``bs4``), never to stderr.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from bs4.builder import ParserRejectedMarkup
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.builder._lxml import LXMLTreeBuilder
from lxml import etree

from .limits import MAX_HTML_DEPTH

_log = logging.getLogger(__name__)

#: Characters handed to libxml2 at a time: between two chunks the depth is checked, and a chunk
#: this small holds too few end tags to cost anything at any depth.
FEED_CHUNK = 16 * 1024

#: Elements whose text is never content when they are left out below the cut (``html.parser``
#: hands their whole body over as text).
RAW_TEXT_TAGS = {"script", "style"}
#: Left-out elements that separate the text around them (a space is kept for them).
SEPARATING_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
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
    "caption",
    "header",
    "footer",
    "aside",
    "br",
    "hr",
}


class _TooDeep(Exception):
    """lxml's open elements nested deeper than ``MAX_HTML_DEPTH``."""


class _GuardedLXMLBuilder(LXMLTreeBuilder):
    """lxml's tree builder, stopping the parse (``_TooDeep``) once elements nest deeper than
    ``MAX_HTML_DEPTH``. lxml hands over every start and end (implied ones too), so ``depth`` is
    libxml2's own. libxml2 does not stop when a handler raises, so the markup is fed in chunks
    of ``FEED_CHUNK`` characters and the depth looked at between them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depth = 0
        self.too_deep = False

    def feed(self, markup: Any) -> None:  # bs4's LXMLTreeBuilder.feed, one chunk at a time
        assert self.soup is not None, "bs4 sets the soup before feeding"
        try:
            self.parser = self.parser_for(self.soup.original_encoding)
            for i in range(0, len(markup), FEED_CHUNK):
                self.parser.feed(markup[i : i + FEED_CHUNK])
                if self.too_deep:
                    raise _TooDeep()
            self.parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as e:
            raise ParserRejectedMarkup(e) from e

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 — lxml's signature
        self.depth += 1
        if self.depth > MAX_HTML_DEPTH:
            self.too_deep = True
        if not self.too_deep:
            super().start(tag, attrib, nsmap)

    def end(self, tag: Any) -> None:
        self.depth -= 1
        if not self.too_deep:
            super().end(tag)

    def data(self, data: Any) -> None:
        if not self.too_deep:
            super().data(data)

    def comment(self, text: Any) -> None:
        if not self.too_deep:
            super().comment(text)


class _NameCounts:
    """A multiset with the ``append``/``remove``/``in`` of a list, each O(1). (BeautifulSoup keeps
    the void elements it closed itself in a list and scans it at every end tag.)"""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def append(self, name: str) -> None:
        self._counts[name] += 1

    def remove(self, name: str) -> None:
        self._counts[name] -= 1

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._counts[name] > 0


class _CappedHTMLParser(BeautifulSoupHTMLParser):
    """BeautifulSoup's ``html.parser`` handler leaving out elements below ``MAX_HTML_DEPTH``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.already_closed_empty_element = _NameCounts()  # type: ignore[assignment]  # a list's protocol, O(1)
        self.left_out: Counter[str] = Counter()  # names of the left-out elements still open
        self.left_out_total = 0
        self._silent = 0  # left-out raw-text elements open

    def _below_cut(self) -> bool:
        return len(self.soup.tagStack) > MAX_HTML_DEPTH

    def handle_starttag(self, tag: Any, attrs: Any, handle_empty_element: bool = True) -> Any:
        if not self._below_cut():
            return super().handle_starttag(tag, attrs, handle_empty_element)
        self.left_out_total += 1
        if tag in SEPARATING_TAGS:
            self.handle_data(" ")
        if tag in (self.soup.builder.empty_element_tags or ()):  # a void element has no end tag to wait for
            return
        self.left_out[tag] += 1
        if tag in RAW_TEXT_TAGS:
            self._silent += 1

    def handle_startendtag(self, tag: Any, attrs: Any) -> None:
        if not self._below_cut():
            super().handle_startendtag(tag, attrs)
            return
        self.left_out_total += 1
        if tag in SEPARATING_TAGS:
            self.handle_data(" ")

    def handle_endtag(self, tag: Any, check_already_closed: bool = True) -> None:
        if self.left_out.get(tag):
            self.left_out[tag] -= 1
            if tag in RAW_TEXT_TAGS:
                self._silent -= 1
            elif tag in SEPARATING_TAGS:
                self.handle_data(" ")
            return
        super().handle_endtag(tag, check_already_closed)

    def handle_data(self, data: Any) -> None:
        if not self._silent:
            super().handle_data(data)


class _CappedHTMLParserBuilder(HTMLParserTreeBuilder):
    def feed(self, markup: Any, _parser_class: type[BeautifulSoupHTMLParser] = _CappedHTMLParser) -> None:
        super().feed(markup, _parser_class=_parser_class)


def make_soup(markup: str) -> BeautifulSoup:
    """The page's tree: lxml's, or ``html.parser``'s cut at ``MAX_HTML_DEPTH`` when the page
    nests deeper. Warnings of the parsers are logged (``bs4``), not printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            soup = BeautifulSoup(markup, builder=_GuardedLXMLBuilder())
        except _TooDeep:
            _log.info("elements nest deeper than %d: read with html.parser, cut at that depth", MAX_HTML_DEPTH)
            soup = BeautifulSoup(markup, builder=_CappedHTMLParserBuilder())
    for w in caught:
        logging.getLogger(w.category.__module__.split(".")[0]).warning("%s", w.message)
    return soup
