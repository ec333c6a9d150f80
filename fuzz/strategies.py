"""Documents drawn by hypothesis: HTML trees with hostile attributes, markdown lines of every kind
the text reader knows, and small PDFs with odd font sizes, coordinates, media boxes and rotations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .generate import pdf_document, text_page
from .mutate_html import WORDS

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

HTML_TAGS = [
    "div",
    "p",
    "span",
    "b",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h6",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "nav",
    "details",
    "summary",
    "figure",
    "figcaption",
    "sup",
    "br",
    "script",
    "button",
    "dl",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "form",
    "template",
    "svg",
    "img",
    "hr",
]
ATTR_NAMES = [
    "id",
    "class",
    "role",
    "aria-controls",
    "aria-expanded",
    "aria-hidden",
    "aria-labelledby",
    "href",
    "hidden",
    "style",
    "colspan",
    "rowspan",
    "start",
    "type",
    "value",
    "data-toggle",
    "alt",
    "src",
]
ATTR_VALUES = [
    "p1",
    "p2",
    "t1",
    "#p1",
    "#t1",
    "tab",
    "tabpanel",
    "tablist",
    "main",
    "navigation",
    "banner",
    "presentation",
    "true",
    "false",
    "collapse",
    "0",
    "1",
    "3",
    "-1",
    "1000",
    "99999999999999",
    "i",
    "A",
    "display:none",
    "logo",
    "cookie-banner",
    "sr-only",
    "javascript:void(0)",
    "https://www.example.com/x",
    "",
    "p1 t1",
]


def hypothesis_strategies() -> dict[str, tuple[SearchStrategy[bytes], str]]:
    """Strategies drawing (bytes, suffix) documents: HTML trees, markdown and small PDFs."""
    from hypothesis import strategies as st

    text = st.one_of(
        st.sampled_from(WORDS),
        st.text(max_size=40),
        st.sampled_from(["Yes*", "No", "1", "•", "&amp;", "<", "Page 2 of 9", "\u00a0", "®"]),
    )
    attrs = st.dictionaries(st.sampled_from(ATTR_NAMES), st.sampled_from(ATTR_VALUES), max_size=3)
    tree = st.recursive(
        text, lambda kids: st.tuples(st.sampled_from(HTML_TAGS), attrs, st.lists(kids, max_size=5)), max_leaves=80
    )

    def render(node: Any) -> str:  # a string, or (tag, attributes, children)
        if isinstance(node, str):
            return node.replace("&", "&amp;").replace("<", "&lt;") if len(node) % 3 else node
        tag, at, kids = node
        a = "".join(f' {k}="{v}"' if v else f" {k}" for k, v in at.items())
        return f"<{tag}{a}>" + "".join(render(k) for k in kids) + f"</{tag}>"

    html = st.builds(
        lambda wrap, nodes: (
            ("<html><body><main>" if wrap else "<div>")
            + "".join(render(n) for n in nodes)
            + ("</main></body></html>" if wrap else "</div>")
        ).encode("utf-8", "surrogatepass"),
        st.booleans(),
        st.lists(tree, min_size=1, max_size=6),
    )
    md_line = st.one_of(
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 8), text),
        st.builds(
            lambda ind, mark, t: " " * ind + mark + " " + t,
            st.integers(0, 12),
            st.sampled_from(["-", "*", "+", "•", "1.", "2)", "10."]),
            text,
        ),
        st.builds(lambda cells: "\t".join(cells), st.lists(text, min_size=2, max_size=5)),
        st.sampled_from(
            [
                "",
                "===",
                "---",
                "***",
                "From: Acme <a@acme.example>",
                "Subject: Prior authorization",
                "**Bold** heading",
                "[link](http://x)",
                "(Continued on next page)",
                "Resources, continued",
                "\\(escaped\\)",
                "*italic*",
                "[®]",
            ]
        ),
        text,
    )
    markdown = st.builds(
        lambda lines, sep: sep.join(lines).encode("utf-8", "surrogatepass"),
        st.lists(md_line, min_size=1, max_size=40),
        st.sampled_from(["\n", "\r\n", "\n\n"]),
    )
    size = st.sampled_from([0, -5, 0.001, 6, 9.5, 10, 10.5, 12, 14, 18, 24, 100000])
    coord = st.one_of(st.floats(-100, 900, allow_nan=False), st.sampled_from([0, -1e6, 1e9, 72, 540]))
    run = st.tuples(coord, coord, size, st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), st.booleans())
    page = st.lists(run, max_size=25).map(text_page)
    box = st.sampled_from(
        [
            b"[0 0 612 792]",
            b"[0 0 792 612]",
            b"[0 0 0 0]",
            b"[0 0 -612 -792]",
            b"[0 0 1e9 1e9]",
            b"[612 792 0 0]",
            b"[0 0 3 3]",
            b"[0 0 14400 14400]",
        ]
    )
    pdf = st.builds(
        lambda pages, mb, rot, info: pdf_document(pages, media_box=mb, rotate=rot, info=info),
        st.lists(page, min_size=1, max_size=5),
        box,
        st.sampled_from([None, 0, 90, 180, 270, 45, -90]),
        st.one_of(st.none(), st.dictionaries(st.sampled_from(["Title", "Author", "Subject"]), text, max_size=3)),
    )
    return {"html": (html, ".html"), "markdown": (markdown, ".md"), "pdf": (pdf, ".pdf")}


def draw_hypothesis(kind: str, n: int, seed: int) -> list[bytes]:
    """``n`` documents of ``kind`` drawn by hypothesis (generation phase only, fixed seed)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    strategy, _ = hypothesis_strategies()[kind]
    out: list[bytes] = []

    @hseed(seed)
    @settings(
        max_examples=n, database=None, phases=[Phase.generate], deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(doc: bytes) -> None:
        out.append(doc)

    collect()
    return out[:n]
