"""``payerkg.report``: the review site of a built database, written to a folder.

Reads the database once (read-only), renders the PDFs' page images it does not have yet, and writes
``index.html`` (per payer, the vendor × line-of-business matrix), ``rules.html`` (each cell's rules),
one ``doc-<id>.html`` per active document, ``conflicts.html``, ``changes.html`` and
``validation.html`` (the latest build's stored validation results). Returns a ``SiteReport``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Optional

from warehouse import Warehouse
from warehouse.conflicts import read_conflicts
from warehouse.errors import ArgumentError
from warehouse.report import write_validation_report
from warehouse.validate import ValidationReport, load_report

from ..config import BuildConfig
from ..pipeline import ConfigLike
from .data import latest_build, matrices, read_changes, read_documents
from .images import ImageCache
from .model import Change, Matrix, SiteReport, short_id
from .pages import remove_stale, render, write
from .views import conflict_views, document_view


@dataclass(frozen=True)
class SiteInfo:
    """What every page's header shows."""

    db_name: str
    build_id: Optional[int]
    built_at: Optional[datetime]
    documents: int
    rules: int
    conflicts: int  # open ones (not acknowledged)
    validation: Optional[ValidationReport]
    today: date  # the day documents' ages are counted to
    stale_days: int  # the staleness window: a document published longer ago than this is marked stale
    stale: frozenset[str] = frozenset()  # doc_ids of the stale documents


@dataclass(frozen=True)
class DocChanges:
    title: str
    source: str
    from_version: Optional[int]
    to_version: Optional[int]
    changes: tuple[Change, ...]

    @property
    def counts(self) -> list[tuple[str, int]]:
        kinds = [c.change for c in self.changes]
        return [(k, kinds.count(k)) for k in ("added", "changed", "removed") if k in kinds]

    @property
    def only_added(self) -> bool:
        return all(c.change == "added" for c in self.changes)


@dataclass(frozen=True)
class BuildChanges:
    build_id: int
    built_at: datetime
    documents: tuple[DocChanges, ...]


def default_out(db: Path) -> Path:
    """Where the site goes when no folder is given: next to the database (``payerkg.report/``)."""
    return db.with_suffix(".report")


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ArgumentError(f"{out}: exists and is not a folder; give --out a folder for the site")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ArgumentError(f"{out}: cannot create the site folder: {e.strerror or e}") from e


def _by_build(changes: list[Change]) -> list[BuildChanges]:
    out = []
    for (build_id, built_at), of_build in groupby(changes, key=lambda c: (c.build_id, c.built_at)):
        docs = []
        for (title, source), of_doc in groupby(of_build, key=lambda c: (c.doc_title, c.doc_source)):
            rows = tuple(of_doc)
            docs.append(DocChanges(title, source, rows[0].from_version, rows[0].to_version, rows))
        out.append(BuildChanges(build_id, built_at, tuple(docs)))
    return out


def _anchors(tables: list[Matrix]) -> dict[str, str]:
    """payer → its section's id on the index page."""
    out = {}
    for m in tables:
        slug = re.sub(r"[^a-z0-9]+", "-", m.payer.casefold()).strip("-")
        out[m.payer] = f"p-{slug}-{short_id(m.payer)[:4]}"
    return out


def report(db: str | Path | None = None, out: str | Path | None = None, config: ConfigLike = None) -> SiteReport:
    """Write the review site of ``db`` (default: ``$PAYERKG_DB`` or ``payerkg.duckdb``) to ``out``
    (default: ``<db>.report/`` next to it). Page images are cached in ``out/images`` by document hash
    and reused by the next run. Documents whose own date is more than ``config.stale_days`` days old
    (``$PAYERKG_STALE_DAYS``, default 365) are marked stale. Raises ``NoDatabaseError``,
    ``SchemaVersionError``, ``ArgumentError``."""
    started = time.perf_counter()
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    site = Path(out) if out is not None else default_out(cfg.db)
    with Warehouse(cfg.db, read_only=True) as wh:
        _prepare(site)
        docs = read_documents(wh.con)
        conflicts = read_conflicts(wh.con)
        changes, total_changes = read_changes(wh.con, docs)
        build_id, built_at = latest_build(wh.con)
        validation = load_report(wh.con)
        written = []
        if validation is not None:
            written.append(write_validation_report(wh.con, validation, cfg.db, site / "validation.html"))
    cache = ImageCache(site, search=(cfg.db.resolve().parent,))
    images = {d.doc_id: cache.pages(d) for d in docs if d.media_type == "pdf"}
    cache.prune(d.doc_id for d in docs)

    rules = {r.rule_id: r for d in docs for r in d.rules}
    opened = sum(not c.acknowledged for c in conflicts)
    today = date.today()
    stale = frozenset(d.doc_id for d in docs if d.stale(today, cfg.stale_days))
    info = SiteInfo(
        cfg.db.name, build_id, built_at, len(docs), len(rules), opened, validation, today, cfg.stale_days, stale
    )
    tables = matrices(rules.values())
    by_id = {d.doc_id: d for d in docs}
    common = dict(site=info, by_id=by_id)
    index = render("index.html.j2", **common, here="index", matrices=tables, docs=docs, anchors=_anchors(tables))
    written.append(write(site / "index.html", index))
    written.append(write(site / "rules.html", render("rules.html.j2", **common, here="rules", matrices=tables)))
    doc_pages = []
    for d in docs:
        view = document_view(d, images.get(d.doc_id, {}))
        doc_pages.append(write(site / d.href, render("document.html.j2", **common, here="doc", view=view)))
    remove_stale(site, doc_pages)
    views = conflict_views(conflicts, rules, by_id, images)
    written.append(write(site / "conflicts.html", render("conflicts.html.j2", **common, here="conflicts", views=views)))
    by_build = _by_build(changes)
    page = render("changes.html.j2", **common, here="changes", builds=by_build, shown=len(changes), total=total_changes)
    written.append(write(site / "changes.html", page))
    return SiteReport(
        out=site,
        pages=(*written, *doc_pages),
        documents=len(docs),
        rules=len(rules),
        conflicts=len(conflicts),
        changes=total_changes,
        images_rendered=cache.rendered,
        images_reused=cache.reused,
        missing_sources=tuple(cache.missing),
        seconds=time.perf_counter() - started,
        stale=tuple(d.source for d in docs if d.doc_id in stale),
        stale_days=cfg.stale_days,
    )
