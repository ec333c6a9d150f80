"""The error hierarchy shared by every stage.

It lives in the lowest layer (``ingest``) so that every later stage and the CLI can use it
without breaking the one-way import rule. ``InputError`` means *the input* could not be used
(as distinct from a defect in payerkg); the CLI prints it as one line naming the file.
Codes are short and stable so that users can search for them.
"""

from __future__ import annotations

from pathlib import Path


class PayerkgError(Exception):
    """Base class of every error payerkg raises on purpose."""


class InputError(PayerkgError):
    """A document could not be read: empty, corrupt, encrypted, too large, wrong type ...

    Attributes:
        path: the file (or source name) the error is about.
        code: a stable short code, e.g. ``E101``; see ``ERRORS``.
        reason: one human sentence.
    """

    def __init__(self, path: str | Path, code: str, reason: str):
        self.path = str(path)
        self.code = code
        self.reason = reason
        super().__init__(f"{self.path}: [{code}] {reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        # picklable with its three fields, so a worker process can hand the error back (build --workers)
        return (type(self), (self.path, self.code, self.reason))


#: The catalogue of input error codes (documented in the README).
ERRORS: dict[str, str] = {
    "E100": "file not found or unreadable",
    "E101": "file is empty",
    "E102": "file exceeds the size limit",
    "E103": "unsupported or unrecognised file type",
    "E104": "content does not match the file extension",
    "E110": "PDF is corrupt or truncated",
    "E111": "PDF is encrypted",
    "E112": "PDF has no text layer (scanned images only)",
    "E120": "HTML has no readable content",
    "E130": "text is not valid UTF-8 / has no readable content",
    "E141": "PDF exceeds the page limit",
    "E142": "too deep or too large a structure",
}


def input_error(path: str | Path, code: str, detail: str = "") -> InputError:
    """Build an ``InputError`` whose reason is the catalogue text plus an optional detail."""
    reason = ERRORS[code] + (f" ({detail})" if detail else "")
    return InputError(path, code, reason)
