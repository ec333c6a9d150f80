"""Fixes to pdfminer applied when ``ingest.pdf`` is imported: two places where it grows a ``bytes``
object piece by piece (each ``+=`` copies all of it), quadratic in what it reads. Both were found by
``make fuzz``; each fix gives pdfminer's own result (property-tested in ``tests/test_ingest_limits.py``).

* ``pdftypes.decompress_corrupted`` reads a Flate stream that zlib refuses whole (a bad checksum,
  trailing garbage) one byte at a time (a seed PDF with one range repeated took 53 s). This one
  feeds zlib 64 KB at a time and only the chunk that breaks a byte at a time.
* ``psparser.PSBaseParser`` reads a literal string ``( … )`` or a hex string ``< … >`` by appending
  to its token at each parenthesis, escape or buffer (a string of 190,000 parentheses took 100 s).
  The token is made a ``bytearray`` while a string is read, which grows in place, and handed on as
  ``bytes``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from typing import Any

from pdfminer import pdftypes
from pdfminer.psparser import PSBaseParser

_log = logging.getLogger("pdfminer.pdftypes")  # where pdfminer says it

#: pdfminer's own, kept to test against.
PDFMINER_DECOMPRESS_CORRUPTED = pdftypes.decompress_corrupted

#: Bytes handed to zlib at once; the chunk that breaks is fed again a byte at a time.
CHUNK = 64 * 1024


def decompress_corrupted(data: bytes) -> bytes:
    """What pdfminer's ``decompress_corrupted`` returns, in linear time. Raises ``zlib.error``."""
    d = zlib.decompressobj()
    out: list[bytes] = []
    for pos in range(0, len(data), CHUNK):
        chunk = data[pos : pos + CHUNK]
        saved = d.copy()
        try:
            out.append(d.decompress(chunk))
            continue
        except zlib.error:
            d = saved
        for k in range(len(chunk)):
            try:
                out.append(d.decompress(chunk[k : k + 1]))
            except zlib.error:
                if pos + k < len(data) - 3:  # not yet in the checksum: the data is broken
                    raise
                _log.warning("Data-loss while decompressing corrupted data")
                return b"".join(out)
    return b"".join(out)


#: The string readers of ``PSBaseParser`` whose token grows in place, and pdfminer's own methods.
STRING_READERS = ("_parse_string", "_parse_string_1", "_parse_hexstring")
PDFMINER_METHODS: dict[str, Callable[..., Any]] = {
    name: getattr(PSBaseParser, name) for name in (*STRING_READERS, "_add_token")
}


def _in_place(read: Callable[[Any, bytes, int], int]) -> Callable[[Any, bytes, int], int]:
    def reader(self: Any, s: bytes, i: int) -> int:
        if type(self._curtoken) is bytes:
            self._curtoken = bytearray(self._curtoken)
        return read(self, s, i)

    return reader


def _add_token(self: Any, obj: Any) -> None:
    PDFMINER_METHODS["_add_token"](self, bytes(obj) if isinstance(obj, bytearray) else obj)


def apply() -> None:
    """Put the linear readers where pdfminer looks them up (once; calling again changes nothing)."""
    pdftypes.decompress_corrupted = decompress_corrupted
    for name in STRING_READERS:
        setattr(PSBaseParser, name, _in_place(PDFMINER_METHODS[name]))
    PSBaseParser._add_token = _add_token  # type: ignore[method-assign]


def restore() -> None:
    """pdfminer's own functions back (tests compare the two)."""
    pdftypes.decompress_corrupted = PDFMINER_DECOMPRESS_CORRUPTED
    for name, method in PDFMINER_METHODS.items():
        setattr(PSBaseParser, name, method)
