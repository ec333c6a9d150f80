"""HTML mutations: nesting up to 20,000 deep (lists, tables, sections, tabs, accordions, closed or
left open), tables of up to 100,000 rows or 2,000 columns with hostile spans, 300,000 siblings, text
nodes and attributes of tens of MB, hostile ARIA attributes, and markup that switches parser modes
(comments, CDATA, ``<plaintext>``, foreign content, bad entities, charset declarations)."""

from __future__ import annotations

import random
import re

from .corpus import MAX_NEST_DEPTH, Ctx
from .mutate_bytes import m_splat

NEST_PATTERNS = [
    ("<div>", "</div>"),
    ("<ul><li>", "</li></ul>"),
    ("<ol><li>", "</li></ol>"),
    ("<table><tr><td>", "</td></tr></table>"),
    ("<section>", "</section>"),
    ("<b>", "</b>"),
    ("<span>", "</span>"),
    ("<sup>", "</sup>"),
    ("<blockquote>", "</blockquote>"),
    ("<details>", "</details>"),
    ("<article>", "</article>"),
    ("<aside>", "</aside>"),
    ("<header>", "</header>"),
    ("<h2>", "</h2>"),
    ("<p>", "</p>"),
    ("<a href='#p1'>", "</a>"),
    ('<div role="tabpanel" aria-labelledby="t1">', "</div>"),
    ('<div role="tablist">', "</div>"),
    ('<button aria-controls="p1" aria-expanded="false">', "</button>"),
    ('<div aria-hidden="true">', "</div>"),
    ("<figure><figcaption>", "</figcaption></figure>"),
    ("<dl><dd>", "</dd></dl>"),
]
WORDS = (
    "prior authorization",
    "eviCore healthcare",
    "Carelon Medical Benefits Management",
    "Medicare Advantage",
    "high-tech imaging",
    "Blue Cross",
    "effective January 1, 2025",
    "manages",
    "reviews requests for",
    "sleep studies",
    "members",
    "commercial",
    "is delegated to",
    "does not apply to",
    "Northwind Health",
)


def words(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def _insert_html(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    """Insert after a random '>' (inside the markup), else at the end."""
    cuts = [m.end() for m in re.finditer(rb">", data[:1_000_000])]
    i = rng.choice(cuts) if cuts else len(data)
    return data[:i] + piece + data[i:]


def m_html_nest(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    depth = rng.choice([200, 500, 1000, 5000, 10_000, MAX_NEST_DEPTH, rng.randint(2, MAX_NEST_DEPTH)])
    patterns = rng.sample(NEST_PATTERNS, rng.choice([1, 1, 1, 2, 3]))
    depth = min(depth, ctx.max_bytes // 100)
    close = rng.random() < 0.6
    every = rng.choice([0, 0, 1, 10, 100])  # text at every k-th level
    opens, closes = [], []
    for i in range(depth):
        o, c = patterns[i % len(patterns)]
        opens.append(o + (f"level {i} {rng.choice(WORDS)} " if every and i % every == 0 else ""))
        closes.append(c)
    piece = "".join(opens) + " Deep text: " + words(rng, 8) + ". " + ("".join(reversed(closes)) if close else "")
    if rng.random() < 0.3:
        return (
            "<html><body><main><h1>Nested</h1><p>Intro text.</p>" + piece + "<p>After.</p></main></body></html>"
        ).encode()
    return _insert_html(data, rng, piece.encode())


def m_html_table(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    rows = rng.choice([10, 1000, 20_000, 100_000])
    cols = rng.choice([1, 3, 20, 200, 2000])
    while rows > 1 and rows * cols * 40 > ctx.max_bytes:  # ~40 bytes a cell
        rows //= 2
    spans = [
        "",
        ' colspan="0"',
        ' rowspan="0"',
        ' colspan="1000"',
        ' rowspan="65534"',
        ' colspan="-1"',
        ' rowspan="x"',
        ' colspan="99999999999999999999"',
    ]
    out = [rng.choice(["<table>", '<table role="presentation">', "<table><caption>Caption</caption>"])]
    out.append("<thead><tr>" + "".join(f"<th>H{c}</th>" for c in range(cols)) + "</tr></thead><tbody>")
    for r in range(rows):
        cells = []
        for _c in range(cols):
            sp = rng.choice(spans) if rng.random() < 0.02 else ""
            cells.append(f"<td{sp}>{rng.choice(WORDS)} {r}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return _insert_html(data, rng, "".join(out).encode())


def m_html_wide(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    n = rng.choice([10_000, 100_000, 300_000])
    tag = rng.choice(["p", "li", "div", "h3", "span", "br", "td", "sup"])
    item = f"<{tag}>{rng.choice(WORDS)}</{tag}>" if tag != "br" else "<br>"
    n = min(n, ctx.max_bytes // len(item))
    return _insert_html(data, rng, (item * n).encode())


def m_html_huge_node(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    n = min(rng.choice([1, 2, 10, 45]) * 1024 * 1024, ctx.max_bytes - len(data) - 64)
    if n <= 0:
        return data
    unit = rng.choice([b"word ", b"x", b"prior authorization ", b"a\xc2\xa0", b"\t", b". "])
    text = (unit * (n // len(unit) + 1))[:n]
    wrap = rng.choice(
        [
            (b"<p>", b"</p>"),
            (b"<h2>", b"</h2>"),
            (b"<td>", b"</td>"),
            (b"<pre>", b"</pre>"),
            (b'<div title="', b'">x</div>'),
            (b"<li>", b"</li>"),
            (b"<!--", b"-->"),
            (b"<script>", b"</script>"),
        ]
    )
    return _insert_html(data, rng, wrap[0] + text + wrap[1])


HOSTILE_ATTRS = [
    'role="tab" href="#p1" id="t1"',
    'role="tabpanel" id="p1" aria-labelledby="t1"',
    'aria-controls="p1" aria-expanded="true"',
    'id="p1"',
    'aria-hidden="true"',
    "hidden",
    'style="display:none"',
    'class="collapse"',
    'data-toggle="collapse" aria-controls="p1"',
    'start="-99999999999999999999"',
    'type="i"',
    'type="a"',
    'value="1000000000000"',
    'role="main"',
    'role="navigation"',
    'role="presentation"',
    'class="cookie-banner"',
    'colspan="1000"',
    'rowspan="0"',
    'role="complementary"',
    'aria-controls=""',
    'id=""',
    'aria-labelledby="p1 t1 p1"',
    'href="javascript:void(0)"',
    'role="tablist"',
]


def m_html_attrs(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    starts = [m.end(1) for m in re.finditer(rb"<([a-zA-Z][a-zA-Z0-9]*)", data[:2_000_000])]
    if not starts:
        return m_splat(data, rng, ctx)
    for i in sorted(rng.sample(starts, min(len(starts), rng.choice([1, 5, 50, 500]))), reverse=True):
        data = data[:i] + b" " + rng.choice(HOSTILE_ATTRS).encode() + data[i:]
    return data


HTML_BREAKERS = [
    b"<!--",
    b"<script>",
    b"<![CDATA[",
    b"<?xml version='1.0'?>",
    b"<!DOCTYPE html>",
    b"</html>",
    b"<plaintext>",
    b"<textarea>",
    b"<svg><foreignObject><p>x",
    b"<math><mi>",
    b"<template>",
    b"<frameset>",
    b"&#0;",
    b"&#xD800;",
    b"&#x110000;",
    b"&#65535;",
    b"&nbsp;" * 1000,
    b"&" * 1000,
    b"<table><td>",
    b"</td></tr></table>" * 50,
    b"<ol start=-5 type=I><li>x",
    b"<sup>123456</sup>",
    b"<h7>",
    b"<br/>" * 1000,
    b"<main>",
    b"<main role=main><article>",
    b"<base href='x'>",
    b"<meta charset='utf-16'>",
    b"<meta http-equiv='content-type' content='text/html; charset=shift_jis'>",
]


def m_html_breakers(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    for _ in range(rng.randint(1, 5)):
        data = _insert_html(data, rng, rng.choice(HTML_BREAKERS))
    return data
