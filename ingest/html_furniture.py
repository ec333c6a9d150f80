"""The publisher's marks on a web page that are not content, for ``Document.furniture``:
``<title>``, author / site-name meta tags, JSON-LD publisher, the text of the site banner and
footer, logo ``alt`` text and the hosts of links."""

from __future__ import annotations

import contextlib
import json
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from .assemble import clean_inline
from .html_nodes import DROP_TAGS, REGION_TAGS, SECTIONING_TAGS, Run, attr, inline_events, marker_text
from .model import MAX_FURNITURE_CHARS

#: Meta tags that name the publisher.
FURNITURE_META = ("author", "og:site_name", "application-name", "publisher", "copyright", "dc.publisher")
#: Class/id fragments of the logo area whose image ``alt`` text names the publisher.
LOGO_RE = re.compile(r"(logo|brand|masthead)", re.IGNORECASE)
#: A logo image sits inside a link inside a "logo"/"brand" box: look this many ancestors up.
LOGO_ANCESTORS = 3
#: How deep we look into JSON-LD for a publisher name (documents nest a few levels at most).
MAX_JSONLD_DEPTH = 6


def _text_chunks(el: Tag) -> list[str]:
    """The text of ``el`` split at block boundaries, skipping navigation, forms and scripts."""
    chunks: list[str] = []
    run = Run()

    def skip(t: Tag) -> bool:
        return t.name in DROP_TAGS or attr(t, "role").lower() in ("navigation", "search")

    def take() -> None:
        # furniture keeps MAX_FURNITURE_CHARS of a chunk: a banner of megabytes is not cleaned whole
        t = clean_inline(run.take()[0][: 4 * MAX_FURNITURE_CHARS])
        if t:
            chunks.append(t)

    for kind, value, _ in inline_events(el, skip):
        if kind in ("text", "sup"):
            run.add(value, False)
        else:
            take()
    take()
    return chunks


def _jsonld_names(data: object, depth: int = 0) -> list[str]:
    out: list[str] = []
    if depth > MAX_JSONLD_DEPTH:
        return out
    if isinstance(data, list):
        for d in data:
            out += _jsonld_names(d, depth + 1)
    elif isinstance(data, dict):
        for key in ("publisher", "author", "provider", "sourceOrganization"):
            v = data.get(key)
            if isinstance(v, dict) and isinstance(v.get("name"), str):
                out.append(v["name"])
            elif isinstance(v, str):
                out.append(v)
        graph = data.get("@graph")
        if graph is not None:
            out += _jsonld_names(graph, depth + 1)
    return out


def _host(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").lower()


def _page_regions(soup: BeautifulSoup) -> tuple[list[Tag], list[Tag], list[Tag]]:
    """The page-level banners and footers (outermost only) and the logo images, in one walk."""
    regions: dict[str, list[Tag]] = {"banner": [], "footer": []}
    alts: list[Tag] = []
    # (children, inside a sectioning element, the region we are in, logo ancestor levels left)
    stack: list[tuple] = [(iter(soup.children), False, "", 0)]
    while stack:
        it, in_section, region, logo = stack[-1]
        el = next(it, None)
        if el is None:
            stack.pop()
            continue
        if not isinstance(el, Tag):
            continue
        role = attr(el, "role").lower()
        if not region and (role in ("banner", "contentinfo") or (el.name in REGION_TAGS and not in_section)):
            kind = "banner" if (el.name == "header" or role == "banner") else "footer"
            regions[kind].append(el)
            inner_region = kind
        else:
            inner_region = region
        logo_here = LOGO_ANCESTORS + 1 if LOGO_RE.search(marker_text(el)) else max(logo - 1, 0)
        if el.name == "img" and el.get("alt") and (region == "banner" or logo_here or LOGO_RE.search(attr(el, "src"))):
            alts.append(el)
        stack.append((iter(el.children), in_section or el.name in SECTIONING_TAGS, inner_region, logo_here))
    return regions["banner"], regions["footer"], alts


def furniture(soup: BeautifulSoup, metas: list[Tag], jsonld: list[Tag], links: list[Tag]) -> list[str]:
    """Publisher marks in page order of importance (title, meta, banner, logos, footer, hosts)."""
    out: list[str] = []
    if soup.title is not None:
        out.append(soup.title.get_text(" "))
    hosts: list[str] = []
    for meta in metas:
        key = (attr(meta, "name") or attr(meta, "property")).lower()
        if key in FURNITURE_META and attr(meta, "content"):
            out.append(attr(meta, "content"))
        if key == "og:url":
            hosts.append(_host(attr(meta, "content")))
    for script in jsonld:
        with contextlib.suppress(ValueError, TypeError, RecursionError):
            out += _jsonld_names(json.loads(script.string or ""))
    banner, footer, alts = _page_regions(soup)
    for el in banner:
        out += _text_chunks(el)
    out += [attr(img, "alt") for img in alts if attr(img, "alt").strip()]
    for el in footer:
        out += _text_chunks(el)
    for link in links:
        if link.name == "link" and "canonical" not in attr(link, "rel").lower():
            continue
        hosts.append(_host(attr(link, "href")))
    out += [h for h in hosts if h]
    return out
