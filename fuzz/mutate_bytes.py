"""Byte-level mutations of any kind of file: truncation, bit flips, token splats, deleted and
repeated ranges, splices of other corpus files, and broken encodings.

A mutation is ``f(data, rng, ctx) -> bytes``, deterministic given ``rng``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from .corpus import Ctx

Mutation = Callable[[bytes, random.Random, Ctx], bytes]

INTERESTING = [
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"<",
    b">",
    b"</",
    b"\n",
    b"\r",
    b"\r\n",
    b"(",
    b")",
    b"[",
    b"]",
    b"<<",
    b">>",
    b" obj ",
    b"endobj",
    b"stream\n",
    b"\nendstream",
    b"%%EOF",
    b"-1",
    b"0",
    b"4294967296",
    b"99999999999999999999",
    b"1e308",
    b"-0.0",
    b"NaN",
    b"&#0;",
    b"&#xD800;",
    b"&",
    b"\t",
    b"**",
    b"#",
    b"|",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b"\\",
    b"/",
    b"<!--",
    b"-->",
    b"<div>",
    b"</table>",
    b"<li>",
    b"\xed\xa0\x80",
    b"\xc0\x80",
    b"\xf4\x90\x80\x80",
]


def _pos(data: bytes | bytearray, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def m_truncate(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    if len(data) < 2:
        return data
    cut = rng.randrange(1, len(data)) if rng.random() < 0.5 else len(data) - rng.randrange(1, min(len(data), 4096))
    return data[:cut]


def m_flip(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 8, 32, 128])):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_splat(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        tok = rng.choice(INTERESTING)
        i = _pos(b, rng)
        if rng.random() < 0.5:
            b[i:i] = tok
        else:
            b[i : i + len(tok)] = tok
    return bytes(b)


def m_delete(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    if len(data) < 2:
        return data
    i = rng.randrange(len(data))
    n = rng.randint(1, max(1, min(len(data) // 10, 4096)))
    return data[:i] + data[i + n :]


def m_repeat(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    chunk = data[i : i + rng.randint(1, 256)]
    times = rng.choice([2, 10, 100, 1000, 10_000])
    times = min(times, max(1, ctx.max_bytes // max(1, len(chunk)) // 4))
    return data[:i] + chunk * times + data[i:]


def m_splice(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    other = Path(rng.choice(ctx.corpus).path).read_bytes() if ctx.corpus else b""
    if not other:
        return m_repeat(data, rng, ctx)
    a = rng.randrange(len(other))
    chunk = other[a : a + rng.randint(16, 8192)]
    i = _pos(data, rng)
    return data[:i] + chunk + data[i:]


# -- encodings ---------------------------------------------------------------------------------
INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc0\x80",
    b"\x80",
    b"\xbf",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xc3",
]


def m_enc_invalid(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice([1, 10, 100])):
        i = _pos(b, rng)
        b[i:i] = rng.choice(INVALID_UTF8)
    return bytes(b)


def m_enc_utf16(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    return data.decode("utf-8", "replace").encode(rng.choice(["utf-16-le", "utf-16-be", "utf-32-le"]))


def m_enc_nul(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    b = bytearray(data)
    lo = 4096 if len(b) > 4096 and rng.random() < 0.7 else 0  # past the sniffed head: NULs reach the parser
    for _ in range(rng.choice([1, 10, 1000])):
        i = rng.randrange(lo, len(b) + 1)
        b[i:i] = b"\x00" * rng.choice([1, 1, 2, 100])
    return bytes(b)


def m_enc_bom(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 3, b"\xff\xfe\x00\x00"]) + data


def m_enc_cp1252(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    text = data.decode("utf-8", "replace").replace("\ufffd", "?")
    return text.encode(rng.choice(["cp1252", "latin-1", "shift_jis", "koi8-r"]), "replace")


def m_enc_linesep(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    b = bytearray(data)
    seps = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r", "\u200b", "\ufeff"]
    for _ in range(rng.choice([1, 10, 200])):
        i = _pos(b, rng)
        b[i:i] = rng.choice(seps).encode()
    return bytes(b)
