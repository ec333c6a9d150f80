"""The paths a command is given → the documents under them. A path that is not there, or is neither a
file nor a folder (a pipe would block the reader forever), or paths without any document, are
argument errors: a typo should neither build nor retire what was built. (A build of a folder that
was emptied on purpose is the retirement guard's case, ``payerkg.pipeline.build``.)"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest import expand_paths
from ingest.api import SUPPORTED_SUFFIXES

from .errors import ArgumentError


def input_files(inputs: Sequence[str | Path], *, empty_ok: bool = False) -> list[Path]:
    """The documents under ``inputs`` (files as given, folders searched). Raises ``ArgumentError``
    (for inputs without any document too, unless ``empty_ok``)."""
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise ArgumentError(f"{raw}: no such file or folder")
        if not (path.is_file() or path.is_dir()):
            raise ArgumentError(f"{raw}: not a file or a folder")
    files = expand_paths(inputs)
    if not files and not empty_ok:
        raise no_documents(inputs)
    return files


def no_documents(inputs: Sequence[str | Path]) -> ArgumentError:
    """The error of inputs that hold no document."""
    where = ", ".join(str(p) for p in inputs) or "no paths given"
    return ArgumentError(f"{where}: no documents ({' '.join(SUPPORTED_SUFFIXES)})")
