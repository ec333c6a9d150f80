"""PDF mutations: ``obj … endobj`` spans repeated, deleted and swapped; numbers and names swapped
for extreme ones; xref and trailer broken; content streams inflated, mutated and stored back; a
text run drawn tens of thousands of times; ``q``/array nesting thousands deep; single lines of
megabytes (pdfminer's xref search reads a line in quadratic time)."""

from __future__ import annotations

import random
import re
import zlib

from .corpus import Ctx
from .mutate_bytes import m_delete, m_flip, m_repeat, m_splat

OBJ_RE = re.compile(rb"\d+\s+\d+\s+obj\b.*?\bendobj\b", re.S)
NUMBER_RE = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
NAME_RE = re.compile(rb"/[A-Za-z][A-Za-z0-9]*")
EXTREME_NUMBERS = [
    b"0",
    b"-1",
    b"1",
    b"999999999",
    b"2147483648",
    b"9223372036854775808",
    b"-2147483649",
    b"1e400",
    b"0.0000001",
    b"-0",
    b"65535",
    b"3.4028235e38",
    b"12345678901234567890123",
]
PDF_NAMES = [
    b"/Type",
    b"/Pages",
    b"/Page",
    b"/Kids",
    b"/Count",
    b"/Parent",
    b"/Length",
    b"/Filter",
    b"/FlateDecode",
    b"/ASCIIHexDecode",
    b"/ASCII85Decode",
    b"/LZWDecode",
    b"/RunLengthDecode",
    b"/DCTDecode",
    b"/JBIG2Decode",
    b"/CCITTFaxDecode",
    b"/Resources",
    b"/Font",
    b"/Contents",
    b"/MediaBox",
    b"/CropBox",
    b"/Rotate",
    b"/Encrypt",
    b"/Root",
    b"/Info",
    b"/Prev",
    b"/XRefStm",
    b"/ObjStm",
    b"/Encoding",
    b"/ToUnicode",
    b"/Widths",
    b"/FirstChar",
    b"/DecodeParms",
    b"/Predictor",
    b"/Columns",
    b"/Subtype",
    b"/Type0",
    b"/Type3",
    b"/CIDFontType2",
    b"/W",
    b"/N",
]


def _objects(data: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in OBJ_RE.finditer(data)]


def m_pdf_obj_repeat(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    spans = _objects(data)
    if not spans:
        return m_repeat(data, rng, ctx)
    a, b = rng.choice(spans)
    where = b if rng.random() < 0.6 else rng.choice(spans)[0]
    return data[:where] + (b"\n" + data[a:b]) * rng.choice([1, 2, 5, 50, 500]) + data[where:]


def m_pdf_obj_delete(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    spans = _objects(data)
    if not spans:
        return m_delete(data, rng, ctx)
    for a, b in sorted(rng.sample(spans, min(len(spans), rng.choice([1, 1, 2, 5]))), reverse=True):
        data = data[:a] + data[b:]
    return data


def m_pdf_obj_swap(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    spans = _objects(data)
    if len(spans) < 2:
        return m_flip(data, rng, ctx)
    (a1, b1), (a2, b2) = sorted(rng.sample(spans, 2))
    return data[:a1] + data[a2:b2] + data[b1:a2] + data[a1:b1] + data[b2:]


def m_pdf_numbers(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    found = [m.span() for m in NUMBER_RE.finditer(data[:2_000_000])]
    if not found:
        return m_flip(data, rng, ctx)
    for a, b in sorted(rng.sample(found, min(len(found), rng.choice([1, 3, 10]))), reverse=True):
        data = data[:a] + rng.choice(EXTREME_NUMBERS) + data[b:]
    return data


def m_pdf_names(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    found = [m.span() for m in NAME_RE.finditer(data[:2_000_000])]
    if not found:
        return m_flip(data, rng, ctx)
    for a, b in sorted(rng.sample(found, min(len(found), rng.choice([1, 2, 5]))), reverse=True):
        data = data[:a] + rng.choice(PDF_NAMES) + data[b:]
    return data


def m_pdf_xref(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    how = rng.randrange(5)
    i = data.rfind(b"startxref")
    if how == 0 and i >= 0:  # point startxref somewhere wrong
        return data[:i] + b"startxref\n" + rng.choice(EXTREME_NUMBERS) + b"\n%%EOF\n"
    if how == 1:  # drop everything from the last xref table / trailer on
        j = max(data.rfind(b"xref"), data.rfind(b"trailer"))
        return data[:j] if j > 0 else data[: len(data) // 2]
    if how == 2:  # a second, contradicting trailer
        return data + b"\ntrailer\n<< /Root 999 0 R /Size 3 /Prev 10 >>\nstartxref\n12\n%%EOF\n"
    if how == 3:  # xref entries scrambled
        j = data.rfind(b"xref")
        if j >= 0:
            seg = bytearray(data[j : j + 2000])
            for _ in range(20):
                k = rng.randrange(len(seg))
                if 48 <= seg[k] <= 57:
                    seg[k] = rng.randrange(48, 58)
            return data[:j] + bytes(seg) + data[j + 2000 :]
    return data.replace(b"%%EOF", b"", rng.randint(1, 3))


STREAM_RE = re.compile(rb"(<<(?:(?!>>\s*stream).){0,2000}?>>)\s*stream\r?\n", re.S)


def _streams(data: bytes) -> list[tuple[tuple[int, int], int, int]]:
    """(dict span, content start, content end) of every stream (found by its endstream)."""
    out = []
    for m in STREAM_RE.finditer(data):
        end = data.find(b"endstream", m.end())
        if end > 0:
            out.append((m.span(1), m.end(), end))
    return out


def _content_mutation(raw: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    how = rng.randrange(6)
    if how == 0:
        found = [m.span() for m in NUMBER_RE.finditer(raw)]
        for a, b in sorted(rng.sample(found, min(len(found), rng.choice([1, 5, 30]))), reverse=True):
            raw = raw[:a] + rng.choice([*EXTREME_NUMBERS, b"0", b"-10", b"1000"]) + raw[b:]
        return raw
    if how == 1:
        return raw[: rng.randrange(len(raw) + 1)]
    if how == 2:  # a text run drawn many times
        i = raw.find(b"BT")
        j = raw.find(b"ET", i)
        if i >= 0 and j > i:
            return raw + (b"\n" + raw[i : j + 2]) * rng.choice([10, 1000, 20000])
    if how == 3:  # deep q/Q and array nesting
        d = rng.choice([100, 1000, 20_000])
        return raw + b"\n" + (b"q " * d) + (b"[" * d) + b"(x)" + (b"]" * d) + b" TJ " + (b"Q " * d)
    if how == 4:
        return m_splat(raw, rng, ctx)
    return m_flip(raw, rng, ctx)


def m_pdf_stream(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Inflate one stream, mutate its content, and store it back (deflated or not), fixing /Length."""
    streams = _streams(data)
    if not streams:
        return m_flip(data, rng, ctx)
    (da, db), start, end = rng.choice(streams)
    head = data[da:db]
    body = data[start:end].rstrip(b"\r\n")
    if b"/FlateDecode" in head:
        try:
            body = zlib.decompressobj().decompress(body)
        except zlib.error:
            return m_flip(data, rng, ctx)
    body = _content_mutation(body, rng, ctx)
    if b"/FlateDecode" in head and rng.random() < 0.7:
        body = zlib.compress(body)
    else:
        head = head.replace(b"/Filter /FlateDecode", b"").replace(b"/Filter/FlateDecode", b"")
    head = re.sub(rb"/Length\s+\d+(?!\s+\d+\s+R)", b"/Length %d" % len(body), head, count=1)
    return data[:da] + head + b"\nstream\n" + body + b"\nendstream" + data[end + len(b"endstream") :]


def m_pdf_content_bomb(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """A page content stream that draws one text run tens of thousands of times, or nests
    ``q``/arrays thousands deep."""
    streams = [s for s in _streams(data) if b"/FlateDecode" in data[s[0][0] : s[0][1]] or b"BT" in data[s[1] : s[2]]]
    if not streams:
        return m_pdf_huge_line(data, rng, ctx)
    (da, db), start, end = rng.choice(streams)
    head, body = data[da:db], data[start:end].rstrip(b"\r\n")
    if b"/FlateDecode" in head:
        try:
            body = zlib.decompressobj().decompress(body)
        except zlib.error:
            return data
    i, j = body.find(b"BT"), body.find(b"ET")
    run = body[i : j + 2] if 0 <= i < j else b"BT /F1 10 Tf 72 700 Td (x) Tj ET"
    if rng.random() < 0.5:
        body += (b"\n" + run) * min(rng.choice([10_000, 50_000]), ctx.max_bytes // (len(run) + 1))
    else:
        d = min(rng.choice([1000, 20_000]), ctx.max_bytes // 8)
        body += b"\n" + (b"q " * d) + (b"[" * d) + b"(x)" + (b"]" * d) + b" TJ " + (b"Q " * d)
    body = zlib.compress(body) if b"/FlateDecode" in head else body
    head = re.sub(rb"/Length\s+\d+(?!\s+\d+\s+R)", b"/Length %d" % len(body), head, count=1)
    return data[:da] + head + b"\nstream\n" + body + b"\nendstream" + data[end + len(b"endstream") :]


def m_pdf_huge_line(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """A single line of megabytes: in a comment, between objects, after %%EOF, or the whole file."""
    n = rng.choice([1, 3, 5, 20, 45]) * 1024 * 1024  # the limit is 4 MB
    n = min(n, ctx.max_bytes - len(data) - 64)
    if n <= 0:
        return data
    filler = rng.choice([b"A", b"0 ", b"%", b" ", b"<<", b"(x)"])
    line = (filler * (n // len(filler) + 1))[:n]
    where = rng.randrange(4)
    if where == 0:
        return data + b"\n%" + line
    if where == 1:
        spans = _objects(data)
        i = rng.choice(spans)[1] if spans else len(data) // 2
        return data[:i] + b"\n%" + line + b"\n" + data[i:]
    if where == 2:
        return data[:9] + line + data[9:]
    return re.sub(rb"[\r\n]+", b" ", data) + b" " + line
