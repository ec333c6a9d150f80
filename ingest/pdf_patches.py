"""A fix to pdfminer applied when ``ingest.pdf`` is imported.

``pdfminer.pdftypes.decompress_corrupted`` reads a Flate stream that zlib refuses whole (a bad
checksum, trailing garbage) one byte at a time, appending each piece of output to a growing
``bytes`` object: quadratic in the output (a seed PDF with one stream repeated took 60 s). This one
gives the same result — the output up to where the data breaks, an error when it breaks before its
last 3 bytes — feeding zlib 64 KB at a time and only the chunk that breaks a byte at a time.
"""

from __future__ import annotations

import logging
import zlib

from pdfminer import pdftypes

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


def apply() -> None:
    """Put the linear ``decompress_corrupted`` where pdfminer's stream decoder looks it up."""
    pdftypes.decompress_corrupted = decompress_corrupted
