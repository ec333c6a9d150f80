"""The files mutations start from, the run's limits, and what a mutation is handed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The seeds and the development corpus (``PAYERKG_DEVSET``, as in the tests).
DEVSET = Path(os.environ.get("PAYERKG_DEVSET", ROOT.parent / "shared" / "devset" / "docs"))
DEFAULT_CORPUS = [ROOT / "seeds", DEVSET]
CORPUS_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "text", ".txt": "text"}

#: Per-input limits of the fuzz run (issue 18: 20 s and 2 GiB).
DEFAULT_TIME_LIMIT = 20.0
DEFAULT_MEM_LIMIT = 2 * 1024**3
#: Page limit of the fuzz run. The build's default (2,000) is a limit on real manuals, which take
#: minutes to read; a 2,000-page PDF cannot be laid out and extracted in a fuzz input's 20 s on
#: 2 busy cores (measured 7 s for 2,000 one-line pages to read, before extraction), so the fuzz checks
#: the limit at 200 and generates page counts around it.
FUZZ_MAX_PAGES = 200
#: Largest generated node or line. The ingest size limit is 50 MB; 45 MB stays just under it.
MAX_HUGE_BYTES = 45 * 1024 * 1024
#: Deepest generated nesting (issue 18 saw hangs at 5,000–20,000).
MAX_NEST_DEPTH = 20_000


@dataclass(frozen=True)
class CorpusFile:
    """A corpus file and its kind: ``pdf``, ``html`` or ``text``."""

    path: str
    kind: str


def load_corpus(dirs: list[Path] | None = None) -> list[CorpusFile]:
    """The PDF, HTML and text files of ``dirs`` (default: the seeds and the devset), sorted."""
    out: list[CorpusFile] = []
    for d in dirs or DEFAULT_CORPUS:
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            kind = CORPUS_SUFFIXES.get(p.suffix.lower())
            if kind and p.is_file() and p.name.lower() != "readme.md":
                out.append(CorpusFile(str(p), kind))
    return out


@dataclass
class Ctx:
    """What a mutation may use besides its input and its random generator: the kind of the case,
    the corpus (to splice from) and the most bytes a mutation may add."""

    kind: str
    corpus: list[CorpusFile] = field(default_factory=list)
    max_bytes: int = MAX_HUGE_BYTES
    max_pages: int = FUZZ_MAX_PAGES
