"""Text and markdown mutations: lines of tens of MB, a million lines, lists indented thousands deep,
runs that make regexes backtrack (``[``, ``**a``, ``[a](``), and tab-separated tables of 100,000 rows."""

from __future__ import annotations

import random

from .corpus import Ctx
from .mutate_bytes import _pos


def m_text_huge_line(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    n = min(rng.choice([1, 2, 10, 45]) * 1024 * 1024, ctx.max_bytes - len(data) - 64)
    if n <= 0:
        return data
    unit = rng.choice(
        [
            b"word ",
            b"x",
            b"eviCore manages prior authorization for Medicare Advantage. ",
            b"\t",
            b"**",
            b"[",
            b"- ",
            b"# ",
        ]
    )
    line = (unit * (n // len(unit) + 1))[:n]
    i = data.find(b"\n", _pos(data, rng))
    i = len(data) if i < 0 else i
    return data[:i] + b"\n" + line + b"\n" + data[i:]


def m_text_many_lines(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    n = rng.choice([10_000, 100_000, 1_000_000])
    line = rng.choice([b"x", b"- item", b"# Heading", b"", b"Prior authorization.", b"a\tb\tc", b"==="])
    sep = rng.choice([b"\n", b"\n\n", b"\r", b"\r\n"])
    n = min(n, ctx.max_bytes // (len(line) + len(sep)))
    return data + sep + (line + sep) * n


def m_text_nest(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    depth = rng.choice([100, 1000, 5000, 9000])
    how = rng.randrange(4)
    while depth > 2 and (depth * depth // 2 if how == 0 else depth) > ctx.max_bytes:
        depth //= 2
    if how == 0:  # a list indented one more space per item
        body = b"".join(b" " * i + b"- item " + str(i).encode() + b"\n" for i in range(depth))
    elif how == 1:
        body = b"\t" * depth + b"- deep\n"
    elif how == 2:
        body = b">" * depth + b" quoted\n"
    else:
        body = b"#" * depth + b" heading\n"
    return data + b"\n\n" + body


REGEX_HOSTILE = [
    b"[",
    b"**a",
    b"*a ",
    b"](",
    b"\\(",
    b"[a](",
    b"*",
    b"[[",
    b"[]",
    b"(*",
    b"**b** ",
    b"From: a@b.c\n",
    b"|",
    b"-",
    b"\t",
]


def m_text_regex(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    unit = rng.choice(REGEX_HOSTILE)
    n = min(rng.choice([1000, 10_000, 100_000, 1_000_000]), ctx.max_bytes // len(unit))
    return data + b"\n" + unit * n + b"\n"


def m_text_table(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    rows = rng.choice([100, 10_000, 100_000])
    cols = rng.choice([2, 10, 300])
    cell = rng.choice([b"x", b"<b>x</b>", b"Yes*", b"<td>", b"prior auth"])
    while rows > 1 and rows * cols * (len(cell) + 1) > ctx.max_bytes:
        rows //= 2
    return data + b"\n\n" + (b"\t".join([cell] * cols) + b"\n") * rows
