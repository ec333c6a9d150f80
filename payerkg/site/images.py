"""Page images of PDFs, rendered by pdfplumber (pypdfium2) once per page and cached by document hash.

Images live in the site, under ``images/<doc_id>/``: ``p0001.png`` … and ``pages.json``, which
records for each page its file, pixel size and the region of the page it shows (PDF points,
pdfplumber's coordinates — the crop box), so highlight boxes land where the quote is. A later run
reuses every image its manifest lists at the same resolution; the ``doc_id`` is the sha256 of the
PDF's bytes, so a cached image can never belong to other bytes. A source file is rendered only
after its bytes are checked against that hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .model import Box, Doc, PageImage

_log = logging.getLogger(__name__)

#: pixels per inch: twice the PDF's 72 points per inch, sharp on high-density screens at the width
#: a page is shown (a letter page is 1,224 px wide, about 35 KB as PNG on the seeds)
RESOLUTION = 144
IMAGES = "images"
MANIFEST = "pages.json"
_DOC_DIR = re.compile(r"[0-9a-f]{64}")


@dataclass
class ImageCache:
    """The page images under ``site/images``; counts what it rendered and reused."""

    site: Path
    search: tuple[Path, ...] = ()  # folders a relative source path may be relative to (besides the cwd)
    rendered: int = 0
    reused: int = 0
    missing: list[str] = field(default_factory=list)

    def pages(self, doc: Doc) -> dict[int, PageImage]:
        """Page number → image, for every page of ``doc`` (a PDF); empty when its file is missing."""
        folder = self.site / IMAGES / doc.doc_id
        manifest = _read_manifest(folder / MANIFEST)
        have = {
            int(n): e
            for n, e in manifest.items()
            if e.get("resolution") == RESOLUTION and (folder / str(e.get("file"))).is_file()
        }
        wanted = range(1, doc.page_count + 1)
        todo = [n for n in wanted if n not in have]
        if todo:
            source = self._source(doc)
            if source is None:
                self.missing.append(doc.source)
            else:
                have.update(_render(source, folder, todo))
                self.rendered += len([n for n in todo if n in have])
                _write_manifest(folder / MANIFEST, have)
        self.reused += len([n for n in wanted if n in have and n not in todo])
        return {n: _image(doc.doc_id, n, e) for n, e in have.items() if n in wanted}

    def _source(self, doc: Doc) -> Optional[Path]:
        """The file built as ``doc``, if it is still there with the same bytes."""
        path = Path(doc.source)
        candidates = [path] if path.is_absolute() else [path, *(base / path for base in self.search)]
        for c in candidates:
            try:
                if c.is_file() and hashlib.sha256(c.read_bytes()).hexdigest() == doc.doc_id:
                    return c
            except OSError:
                continue
        return None

    def prune(self, keep: Iterable[str]) -> None:
        """Remove the cached images of documents not in ``keep`` (superseded or retired since)."""
        root = self.site / IMAGES
        if not root.is_dir():
            return
        keep = set(keep)
        for folder in root.iterdir():
            if folder.is_dir() and _DOC_DIR.fullmatch(folder.name) and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _image(doc_id: str, page: int, e: dict[str, Any]) -> PageImage:
    return PageImage(page, f"{IMAGES}/{doc_id}/{e['file']}", e["size"][0], e["size"][1], Box(*e["region"]))


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(path: Path, pages: dict[int, dict[str, Any]]) -> None:
    _atomic_write(path, json.dumps({str(n): pages[n] for n in sorted(pages)}, indent=1).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _render(source: Path, folder: Path, pages: list[int]) -> dict[int, dict[str, Any]]:
    """Render ``pages`` of ``source`` into ``folder``; a page pdfium cannot draw is left out (logged)."""
    import io

    import pdfplumber

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[int, dict[str, Any]] = {}
    try:
        pdf = pdfplumber.open(source)
    except Exception as e:  # pdfminer raises assorted types on a broken file
        _log.warning("%s: cannot open for page images: %s", source, e)
        return out
    with pdf:
        for n in pages:
            if n > len(pdf.pages):
                break
            try:
                image = pdf.pages[n - 1].to_image(resolution=RESOLUTION)
                buf = io.BytesIO()
                image.original.save(buf, "PNG")
            except Exception as e:  # pypdfium2 and PIL errors alike: the page shows as text
                _log.warning("%s: page %d not rendered: %s", source, n, e)
                continue
            name = f"p{n:04d}.png"
            _atomic_write(folder / name, buf.getvalue())
            out[n] = dict(
                file=name,
                resolution=RESOLUTION,
                size=list(image.original.size),
                region=[float(v) for v in image.bbox],
            )
    return out
