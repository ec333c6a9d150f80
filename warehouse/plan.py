"""The load plan: what a build will write, decided from the batch and a snapshot, without the database.

Two pure steps. ``plan_documents`` decides each document's key, version and status (new, re-extracted,
seen again, superseded, retired) from the document index; its ``compared`` names the stored
documents whose statements the second step needs. ``plan_rules`` then matches each new version's
statements with the previous version's (``warehouse.diff``) for the stable ids and the
``rule_changes`` rows. ``warehouse.write`` carries the plan out in one pass.

Keys: payer + title, each through the one name normaliser, plus the file name when two documents
of one build share payer and title (they are different documents, not versions of each other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.resolve import name_key

from .errors import RetirementRefusedError
from .model import LoadBatch
from .snapshot import DocumentIndex, StoredDocument
from .versions import ChangeLog, Side

#: A build may retire at most this share of the active documents under its inputs unless it is
#: asked to prune: an emptied or mistyped folder must not retire a corpus by accident, while a few
#: documents gone from a large folder is ordinary upkeep.
MAX_RETIRED_SHARE = 0.5
#: how many of the documents a refused build would retire its message names
NAMED_IN_REFUSAL = 3


@dataclass(frozen=True)
class NewDocument:
    doc_id: str
    doc_key: str
    version: int
    status: str  # active, or superseded by a newer version in the same build
    redo: bool  # stored already (re-extracted with another vocabulary or extractor)
    previous: str | None  # doc_id whose statements the new ones are compared with


@dataclass(frozen=True)
class DocumentPlan:
    documents: list[NewDocument]
    seen: dict[str, str]  # unchanged doc_id → its source now (active again if it was retired)
    back: list[str]  # unchanged documents that had been retired
    superseded: list[str]  # stored documents a newer version replaces
    retired: list[str]  # stored active documents gone from the inputs

    @property
    def compared(self) -> set[str]:
        """Stored documents whose statements ``plan_rules`` needs."""
        return {d.previous for d in self.documents if d.previous} | set(self.back) | set(self.retired)

    @property
    def keys(self) -> dict[str, str]:
        return {d.doc_id: d.doc_key for d in self.documents}


@dataclass(frozen=True)
class RulePlan:
    stable_ids: dict[str, str]  # rule_id → stable id, for every statement loaded now
    changes: list[dict[str, Any]] = field(default_factory=list)  # rule_changes rows


def document_keys(batch: LoadBatch, stored: Mapping[str, StoredDocument]) -> dict[str, str]:
    """doc_id → key for the documents parsed in this build (a stored document keeps its key)."""
    base = {p.document.doc_id: f"{name_key(p.payer)}|{name_key(p.document.title or '')}" for p in batch.parsed}
    bases = list(base.values()) + [stored[d].doc_key.split("#", 1)[0] for d in batch.unchanged if d in stored]
    out = {}
    for p in batch.parsed:
        d = p.document
        if d.doc_id in stored:
            out[d.doc_id] = stored[d.doc_id].doc_key
        elif bases.count(base[d.doc_id]) > 1:
            out[d.doc_id] = f"{base[d.doc_id]}#{name_key(Path(d.source).stem)}"
        else:
            out[d.doc_id] = base[d.doc_id]
    return out


def plan_documents(batch: LoadBatch, index: DocumentIndex) -> DocumentPlan:
    stored = index.documents
    keys = document_keys(batch, stored)
    latest = dict(index.latest_version)
    by_key: dict[str, list[tuple[int, str]]] = {}
    for s in stored.values():
        by_key.setdefault(s.doc_key, []).append((s.version, s.doc_id))
    new: list[tuple[str, str, int, bool, str | None]] = []
    for p in batch.parsed:
        doc_id, key = p.document.doc_id, keys[p.document.doc_id]
        if doc_id in stored:
            new.append((doc_id, key, stored[doc_id].version, True, doc_id))
            continue
        version = latest.get(key, 0) + 1
        latest[key] = version
        older = max((v for v in by_key.get(key, []) if v[0] < version), default=None)
        new.append((doc_id, key, version, False, older[1] if older else None))
        by_key.setdefault(key, []).append((version, doc_id))
    # a newer version supersedes the older active ones with the same key
    newest: dict[str, int] = {}
    for _, key, version, _, _ in new:
        newest[key] = max(newest.get(key, 0), version)
    superseded = sorted(
        s.doc_id
        for s in stored.values()
        if s.status == "active" and s.doc_key in newest and s.version < newest[s.doc_key]
    )
    documents = [
        NewDocument(doc_id, key, version, "superseded" if version < newest[key] else "active", redo, prev)
        for doc_id, key, version, redo, prev in new
    ]
    current = {d.doc_id for d in documents} | set(batch.unchanged)
    roots = [Path(i).resolve() for i in batch.inputs]
    gone = set(superseded)
    retired = sorted(
        s.doc_id
        for s in stored.values()
        if s.status == "active"
        and s.doc_id not in current
        and s.doc_id not in gone
        and _under(Path(s.source).resolve(), roots)
    )
    if retired and not batch.prune:
        under = sum(s.status == "active" and _under(Path(s.source).resolve(), roots) for s in stored.values())
        # a document whose file now holds another document (its title or payer changed) is replaced, not lost
        sources = {Path(p.document.source).resolve() for p in batch.parsed} | {
            Path(x).resolve() for x in batch.unchanged.values()
        }
        lost = [stored[d].source for d in retired if Path(stored[d].source).resolve() not in sources]
        guard_retirement(batch, lost, under)
    back = [d for d in batch.unchanged if d in stored and stored[d].status == "retired"]
    return DocumentPlan(documents, dict(batch.unchanged), back, superseded, retired)


def guard_retirement(batch: LoadBatch, retiring: list[str], active_under: int) -> None:
    """Refuse a build that would retire more than ``MAX_RETIRED_SHARE`` of the ``active_under`` active
    documents under its inputs (``retiring`` are their sources)."""
    if len(retiring) <= MAX_RETIRED_SHARE * active_under:
        return
    names = ", ".join(Path(s).name for s in sorted(retiring)[:NAMED_IN_REFUSAL])
    more = f" and {len(retiring) - NAMED_IN_REFUSAL} more" if len(retiring) > NAMED_IN_REFUSAL else ""
    raise RetirementRefusedError(
        f"{', '.join(map(str, batch.inputs)) or 'no inputs'}: this build would retire {len(retiring)} of the "
        f"{active_under} active documents under its inputs, whose files are gone ({names}{more}); "
        "nothing was changed. Pass --prune (prune=True) to retire them"
    )


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def plan_rules(
    batch: LoadBatch,
    docs: DocumentPlan,
    index: DocumentIndex,
    sides: Mapping[str, Side],
    taken: Mapping[str, frozenset[str]],
    build_id: int,
) -> RulePlan:
    """Stable ids and change rows: a document back after retirement adds its rules again, a retired
    one removes them, and each new version is compared with its previous one."""
    log = ChangeLog(build_id)
    stored = index.documents
    for doc_id in docs.back:
        log.appeared(stored[doc_id].doc_key, sides[doc_id])
    for doc_id in docs.retired:
        log.retired(stored[doc_id].doc_key, sides[doc_id])
    ids: dict[str, str] = {}
    plans = {d.doc_id: d for d in docs.documents}
    for p in batch.parsed:
        d = plans[p.document.doc_id]
        before = sides[d.previous] if d.previous else Side()
        new = Side(d.doc_id, d.version, True, list(p.statements))
        ids.update(log.version(d.doc_key, before, new, set(taken.get(d.doc_key, frozenset()))))
    return RulePlan(ids, log.rows)
