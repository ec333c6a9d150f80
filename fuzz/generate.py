"""Documents made from scratch: a minimal PDF writer (one page per content stream, a page tree of any
depth) and the structure bombs a recipe can start from — PDFs of many pages or a page tree
thousands deep, HTML nested thousands deep."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from .corpus import MAX_NEST_DEPTH, Ctx
from .mutate_html import m_html_nest, words


def _pdf_string(s: str) -> bytes:
    return (
        b"(" + s.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    )


def pdf_document(
    contents: list[bytes],
    *,
    media_box: bytes = b"[0 0 612 792]",
    rotate: int | None = None,
    info: dict[str, str] | None = None,
    page_tree_depth: int = 0,
    share_content: bool = False,
) -> bytes:
    """A minimal, well-formed PDF (uncompressed) with one page per content stream.

    ``page_tree_depth`` > 0 puts the pages under that many nested /Pages nodes below the root;
    ``share_content`` makes every page draw the first content stream (small files of many pages).
    """
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    }
    n = 5
    content_ids: list[int] = []
    for i, c in enumerate(contents):
        if share_content and i > 0:
            content_ids.append(content_ids[0])
            continue
        objs[n] = b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream"
        content_ids.append(n)
        n += 1
    chain = [2, *range(n, n + page_tree_depth)]  # /Pages nodes, root first
    n += page_tree_depth
    page_ids = list(range(n, n + len(content_ids)))
    n += len(page_ids)
    extra = b"" if rotate is None else b" /Rotate " + str(rotate).encode()
    for pid, cid in zip(page_ids, content_ids):
        objs[pid] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox " % chain[-1]
            + media_box
            + b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R" % cid
            + extra
            + b" >>"
        )
    for k, node in enumerate(chain):
        kids = [chain[k + 1]] if k + 1 < len(chain) else page_ids
        parent = b"" if k == 0 else b" /Parent %d 0 R" % chain[k - 1]
        objs[node] = (
            b"<< /Type /Pages"
            + parent
            + b" /Kids ["
            + b" ".join(b"%d 0 R" % i for i in kids)
            + b"] /Count %d >>" % len(page_ids)
        )
    info_id = None
    if info is not None:
        info_id = n
        objs[n] = b"<< " + b" ".join(b"/" + k.encode() + b" " + _pdf_string(v) for k, v in info.items()) + b" >>"
        n += 1
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = out.tell()
        out.write(b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n")
    xref = out.tell()
    size = max(objs) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for i in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n")
    trailer = b"<< /Size %d /Root 1 0 R" % size + (b" /Info %d 0 R" % info_id if info_id else b"") + b" >>"
    out.write(b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def text_page(lines: list[tuple[float, float, float, str, bool]]) -> bytes:
    """A content stream drawing ``(x, y, size, text, bold)`` runs."""
    ops = []
    for x, y, size, text, bold in lines:
        ops.append(
            b"BT /F%d %s Tf %s %s Td %s Tj ET" % (2 if bold else 1, _num(size), _num(x), _num(y), _pdf_string(text))
        )
    return b"\n".join(ops)


def _num(v: float) -> bytes:
    return (b"%d" % v) if float(v).is_integer() and abs(v) < 1e15 else (b"%.4f" % v)


def g_pdf_pages(rng: random.Random, ctx: Ctx) -> tuple[bytes, str]:
    """Many small pages sharing one content stream: around the run's page limit, or far over it."""
    n = rng.choice([ctx.max_pages - 1, ctx.max_pages, ctx.max_pages + 1, 3000, 10_000])
    content = text_page([(72, 720, 14, "Page heading", True), (72, 690, 10, words(rng, 6) + ".", False)])
    return pdf_document([content] * n, share_content=True), ".pdf"


def g_pdf_deep_tree(rng: random.Random, ctx: Ctx) -> tuple[bytes, str]:
    """One page under a page tree thousands of /Pages deep."""
    depth = rng.choice([100, 900, 1000, 5000, MAX_NEST_DEPTH])
    content = text_page([(72, 720, 10, words(rng, 8) + ".", False)])
    return pdf_document([content], page_tree_depth=depth), ".pdf"


def g_html_deep(rng: random.Random, ctx: Ctx) -> tuple[bytes, str]:
    return m_html_nest(b"<html><body><main><p>Start.</p></main></body></html>", rng, ctx), ".html"


Generator = Callable[[random.Random, Ctx], tuple[bytes, str]]
#: Structure bombs made from nothing: a recipe names one and its seed.
GENERATORS: dict[str, Generator] = {
    "pdf_pages": g_pdf_pages,
    "pdf_deep_tree": g_pdf_deep_tree,
    "html_deep": g_html_deep,
}
