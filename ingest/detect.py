"""Decide what a file is from its bytes (magic numbers, markup), not only its name."""

from __future__ import annotations

import re

from .errors import input_error
from .model import MediaType

HTML_SNIFF_RE = re.compile(
    rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|main[\s>]|div[\s>]|p[\s>]|table[\s>]|section[\s>])",
    re.IGNORECASE,
)
#: Share of control characters (other than tab/newline/CR/form feed) above which bytes are binary.
MAX_CONTROL_SHARE = 0.02
SNIFF_BYTES = 4096
EXTENSIONS = {
    ".pdf": MediaType.PDF,
    ".html": MediaType.HTML,
    ".htm": MediaType.HTML,
    ".xhtml": MediaType.HTML,
    ".txt": MediaType.TEXT,
    ".md": MediaType.TEXT,
    ".markdown": MediaType.TEXT,
    ".text": MediaType.TEXT,
}
#: Magic numbers of common formats we do not read, to name them in the error.
FOREIGN_MAGIC = {
    b"PK\x03\x04": "ZIP/Office document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "legacy Office document",
    b"\x1f\x8b": "gzip archive",
}


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    if not head:
        return False
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if ctrl / len(head) > MAX_CONTROL_SHARE:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # a multi-byte character cut at the sniff boundary is fine
        return e.start < len(head) - 4
    return False


def detect(data: bytes, source: str) -> tuple[MediaType, list[str]]:
    """Return the media type and warnings (e.g. a mislabelled but readable file).

    Raises ``InputError`` E101 (empty), E103 (unsupported) or E104 (content contradicts the
    extension and is not readable as anything we parse).
    """
    if not data.strip():
        raise input_error(source, "E101")
    suffix = "." + source.rsplit(".", 1)[-1].lower() if "." in source.rsplit("/", 1)[-1] else ""
    claimed = EXTENSIONS.get(suffix)
    head = data[:SNIFF_BYTES]
    if head.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        found = MediaType.PDF
    elif _looks_binary(head):
        kind = next((name for magic, name in FOREIGN_MAGIC.items() if head.startswith(magic)), "binary data")
        if claimed is not None:
            raise input_error(source, "E104", f"named {suffix} but the content is {kind}")
        raise input_error(source, "E103", kind)
    elif HTML_SNIFF_RE.search(head.lstrip(b"\xef\xbb\xbf")[:SNIFF_BYTES]) and (
        claimed is not MediaType.TEXT or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    ):
        found = MediaType.HTML
    else:
        found = MediaType.TEXT
    warnings = []
    if claimed is None and suffix:
        if found is MediaType.TEXT:
            raise input_error(source, "E103", f"extension {suffix}")
        warnings.append(f"unknown extension {suffix}; read as {found.value}")
    elif claimed is not None and claimed is not found:
        warnings.append(f"named {suffix} but the content is {found.value}; read as {found.value}")
    return found, warnings
