"""The paths a command is given → the documents under them. A path that is not there, or is neither a
file nor a folder (a pipe would block the reader forever), or paths without any document, are
argument errors: a typo should neither build nor retire what was built."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest import expand_paths
from ingest.api import SUPPORTED_SUFFIXES

from .errors import ArgumentError


def input_files(inputs: Sequence[str | Path]) -> list[Path]:
    """The documents under ``inputs`` (files as given, folders searched). Raises ``ArgumentError``."""
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise ArgumentError(f"{raw}: no such file or folder")
        if not (path.is_file() or path.is_dir()):
            raise ArgumentError(f"{raw}: not a file or a folder")
    files = expand_paths(inputs)
    if not files:
        where = ", ".join(str(p) for p in inputs) or "no paths given"
        raise ArgumentError(f"{where}: no documents ({' '.join(SUPPORTED_SUFFIXES)})")
    return files
