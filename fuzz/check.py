"""Running one input through ingest and extract, in this process, and saying what happened."""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .corpus import FUZZ_MAX_PAGES, ROOT

if TYPE_CHECKING:
    from extract import Extractor
    from ingest import Document

Result = dict[str, Any]


class InvariantError(AssertionError):
    """The Document broke one of the invariants stated in ``ingest/model.py``."""


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise InvariantError(what)


def check_invariants(doc: Document) -> None:
    """Raise ``InvariantError`` unless every block is where the Document says, in page order, with
    its bold spans and boxes inside its text, and the text can be stored as UTF-8."""
    from ingest.model import BlockKind

    last_page = 0
    for i, b in enumerate(doc.blocks):
        _need(b.index == i, f"block {i}: index {b.index}")
        _need(doc.text[b.start : b.end] == b.text, f"block {i}: text[start:end] != block.text")
        _need(1 <= b.page <= doc.page_count, f"block {i}: page {b.page} not in 1..{doc.page_count}")
        _need(b.page >= last_page, f"block {i}: page {b.page} before {last_page}")
        last_page = b.page
        for a, z in b.bold:
            _need(0 <= a < z <= len(b.text), f"block {i}: bold span {(a, z)} outside text of {len(b.text)}")
        prev_end = 0
        for x in b.boxes:
            _need(prev_end <= x.start < x.end <= len(b.text), f"block {i}: box {(x.start, x.end)} out of order")
            prev_end = x.end
        if b.kind is BlockKind.LIST_ITEM:
            _need(b.level >= 1, f"block {i}: list item level {b.level}")
        _need(all(isinstance(s, str) for s in b.section_path), f"block {i}: section path")
    try:
        doc.text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvariantError(f"document text cannot be stored as UTF-8 ({e.reason} at {e.start})") from None


def _frame(f: traceback.FrameSummary) -> str:
    p = Path(f.filename)
    try:
        rel = p.resolve().relative_to(ROOT)
    except ValueError:
        parts = p.parts
        rel = Path(*parts[parts.index("site-packages") + 1 :]) if "site-packages" in parts else p
    return f"{rel}:{f.lineno} {f.name}"


def frames(tb: TracebackType | None) -> tuple[str, str]:
    """(innermost frame, innermost frame in payerkg's own code) as ``path:line function``."""
    found = traceback.extract_tb(tb)
    if not found:
        return "", ""
    own = [
        f
        for f in found
        if any(f"/{d}/" in f.filename for d in ("ingest", "extract", "payerkg"))
        and str(ROOT) in str(Path(f.filename).resolve())
    ]
    return _frame(found[-1]), (_frame(own[-1]) if own else "")


class LogCounter(logging.Handler):
    """Counts WARNING+ records by top-level logger name; prints nothing."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.name.split(".")[0]] += 1


def execute(
    data: bytes,
    name: str,
    extractor: Extractor,
    workdir: Path,
    progress: Callable[[Result], None] | None = None,
    max_pages: int = FUZZ_MAX_PAGES,
) -> Result:
    """Run one input through ``ingest_file`` and ``extract``; classify what happened (``outcome``:
    ``ok``, ``input-error`` or ``crash``). ``progress`` hears where the run is, so a hang can be put
    down to its stage."""
    from ingest import IngestOptions, InputError, ingest_file

    path = workdir / name
    path.write_bytes(data)
    res: Result = {"size": len(data)}
    stage = "ingest"
    t0 = time.perf_counter()
    try:
        doc = ingest_file(path, IngestOptions(max_pages=max_pages))
        res["ingest_s"] = round(time.perf_counter() - t0, 3)
        stage = "invariants"
        check_invariants(doc)
        stage = "extract"
        longest = max((len(b.text) for b in doc.blocks), default=0)
        if progress:
            progress(
                {
                    "stage": "extract",
                    "ingest_s": res["ingest_s"],
                    "blocks": len(doc.blocks),
                    "text_chars": len(doc.text),
                    "longest_block": longest,
                }
            )
        t1 = time.perf_counter()
        ext = extractor.extract(doc)
        res.update(
            outcome="ok",
            blocks=len(doc.blocks),
            statements=len(ext.statements),
            extract_s=round(time.perf_counter() - t1, 3),
        )
    except InputError as e:
        res.update(outcome="input-error", code=e.code, stage=stage, msg=str(e)[:300])
    except BaseException as e:  # anything else is a crash to report, MemoryError included
        top, own = frames(e.__traceback__)
        tb = "".join(traceback.format_exception(type(e), e, e.__traceback__, limit=-12))[-3000:]
        res.update(
            outcome="crash", stage=stage, exc=type(e).__name__, msg=str(e)[:300], frame=top, own_frame=own, tb=tb
        )
    res["seconds"] = round(time.perf_counter() - t0, 3)
    path.unlink(missing_ok=True)
    return res
