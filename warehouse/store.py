"""DuckDB storage: tables, views, and one transaction per build.

A build hands ``Warehouse.load`` typed records (``LoadBatch``); ``load`` writes them in a single
transaction, so a failed or killed build leaves the previous database exactly as it was. Rows go in
bulk through Arrow tables (``INSERT … SELECT`` from a registered Arrow table), never row by row.

Document identity is the sha256 of the bytes (``doc_id``); a document's *key* links versions over
time: payer + normalised title, plus the file name when two documents of one build share payer and
title (seeds 000 and 001 do: they are different documents, not versions of each other). A newer
document with an existing key supersedes the older one; an active document whose source lies under
the build's inputs but is no longer there is retired. Neither is deleted: history stays queryable.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

import duckdb
import pyarrow as pa

from extract import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement, Vocabulary
from ingest import Document, InputError

from .validate import ValidationReport, validate_build
from .versions import ChangeLog, Side

if TYPE_CHECKING:
    from graph import KnowledgeGraph

_log = logging.getLogger(__name__)

#: Fault injection for the atomicity tests: ``fail:<step>`` raises at a step of the load,
#: ``pause:<step>`` prints ``PAUSED <step>`` to stderr and sleeps (so a test can SIGKILL the build).
#: Steps: builds, documents, blocks, statements, validate, commit.
FAULT_ENV = "PAYERKG_FAULT"


class WarehouseError(RuntimeError):
    pass


def _checkpoint(step: str) -> None:
    fault = os.environ.get(FAULT_ENV, "")
    if not fault:
        return
    action, _, where = fault.partition(":")
    if where != step:
        return
    if action == "fail":
        raise WarehouseError(f"injected failure at load step {step!r} ({FAULT_ENV})")
    if action == "pause":
        print(f"PAUSED {step}", file=sys.stderr, flush=True)
        time.sleep(600)


def norm_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


@dataclass
class ParsedDocument:
    """One document parsed and extracted in this build."""

    document: Document
    payer: str
    statements: list[Statement]


@dataclass
class LoadBatch:
    inputs: list[str]                      # paths as given (files or folders), for retirement
    parsed: list[ParsedDocument]
    unchanged: dict[str, str]              # doc_id → source, documents skipped by hash
    failures: list[InputError]
    vocab: Vocabulary
    extract_sig: str                       # vocabulary + extractor signature the statements came from


@dataclass
class LoadResult:
    build_id: int
    parsed: int
    unchanged: int
    failed: int
    retired: int
    superseded: int
    pages: int
    rules: int                             # active rules after the build
    new_rules: int
    new_vendors: list[str] = field(default_factory=list)
    changes: int = 0                       # rule_changes rows this build recorded
    conflicts: int = 0                     # rows of the conflicts view after the build
    validation: Optional[ValidationReport] = None


def _sql(name: str) -> str:
    return resources.files("warehouse").joinpath(name).read_text(encoding="utf-8")


class Warehouse:
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise WarehouseError(f"{self.path}: cannot open the database: {e}") from e
        if not read_only:
            self.con.execute(_sql("schema.sql"))
            self.create_views()

    def create_views(self) -> None:
        for view in sorted(resources.files("warehouse").joinpath("views").iterdir(), key=lambda p: p.name):
            if view.name.endswith(".sql"):
                self.con.execute(view.read_text(encoding="utf-8"))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------------
    def query(self, sql: str, params: Optional[list] = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()

    def loaded(self) -> dict[str, tuple[str, str]]:
        """doc_id → (extract signature, status) for every document ever loaded."""
        rows = self.con.execute("SELECT doc_id, extract_sig, status FROM documents").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def statements(self, active_only: bool = True, doc_ids: Optional[list[str]] = None) -> list[Statement]:
        """Statements back as typed records (for the graph and for diffs): those of active documents,
        or of ``doc_ids`` whatever their status."""
        where, params = ("WHERE d.status = 'active'" if active_only else ""), []
        if doc_ids is not None:
            where, params = "WHERE s.doc_id IN (SELECT unnest(?::VARCHAR[]))", [doc_ids]
        refs: dict[str, list[ExceptionRef]] = {}
        for rid, name, number, alt, quote in self.con.execute(
                f"""SELECT e.rule_id, e.group_name, e.group_number, e.alternate_vendor, e.quote
                    FROM exceptions e JOIN statements s USING (rule_id) JOIN documents d ON d.doc_id = s.doc_id
                    {where}""", params).fetchall():
            refs.setdefault(rid, []).append(ExceptionRef(name, number, alt, quote or ""))
        cols, rows = self.query(f"SELECT s.* FROM statements s JOIN documents d USING (doc_id) {where} ORDER BY s.rule_id",
                                params)
        out = []
        for row in rows:
            r = dict(zip(cols, row))
            st = Statement(
                doc_id=r["doc_id"], payer=r["payer"], vendor=r["vendor"], program_type=ProgramType(r["program_type"]),
                service=r["service"], line_of_business=r["line_of_business"], segment=Segment(r["segment"]),
                scope=Scope(r["scope"]), requirement=Requirement(r["requirement"]), page=r["page"], quote=r["quote"],
                block_index=r["block_index"], exceptions=tuple(r["exceptions"] or ()), inclusions=tuple(r["inclusions"] or ()),
                conditions=r["conditions"], effective_from=r["effective_from"], vendor_as_stated=r["vendor_as_stated"] or "",
                vendor_new=bool(r["vendor_new"]), exception_refs=tuple(sorted(refs.get(r["rule_id"], []))),
                section=r["section"] or "", pattern=r["pattern"] or "")
            object.__setattr__(st, "rule_id", r["rule_id"])
            out.append(st)
        return out

    def stable_ids(self, doc_ids: list[str]) -> dict[str, str]:
        """rule_id → stable id for the statements of ``doc_ids``."""
        return dict(self.con.execute("SELECT rule_id, coalesce(stable_id, rule_id) FROM statements "
                                     "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [doc_ids]).fetchall())

    def graph(self, vocab: Vocabulary | None = None) -> KnowledgeGraph:
        from graph import DocumentInfo, KnowledgeGraph  # networkx: only the commands that use the graph load it
        kg = KnowledgeGraph(vocab)
        for doc_id, source, title in self.con.execute(
                "SELECT doc_id, source, title FROM documents WHERE status = 'active' ORDER BY doc_id").fetchall():
            kg.add_document(DocumentInfo(doc_id, source, title or ""))
        return kg.add(self.statements())

    # -- writing -----------------------------------------------------------------------------------
    def load(self, batch: LoadBatch) -> LoadResult:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            result = self._load(batch)
            result.conflicts = con.execute("SELECT count(*) FROM conflicts").fetchall()[0][0]
            changed = bool(result.parsed or result.retired or result.superseded)
            result.validation = validate_build(con, result.build_id, batch.vocab, changed)
            _checkpoint("validate")
            _checkpoint("commit")
            con.execute("COMMIT")
            return result
        except BaseException as e:
            con.execute("ROLLBACK")
            if isinstance(e, duckdb.Error):
                raise WarehouseError(f"{self.path}: load failed: {e}") from e
            raise

    def _load(self, batch: LoadBatch) -> LoadResult:
        con = self.con
        build_id = (con.execute("SELECT coalesce(max(build_id), 0) + 1 FROM builds").fetchall()[0][0])
        con.execute("INSERT INTO builds (build_id, started_at, inputs, vocab_version) VALUES (?, ?, ?, ?)",
                    [build_id, datetime.now(), batch.inputs, batch.vocab.version])
        _checkpoint("builds")

        current_ids = {p.document.doc_id for p in batch.parsed} | set(batch.unchanged)
        keys = self._keys(batch)
        existing = {r[0]: r for r in con.execute("SELECT doc_id, doc_key, version, status FROM documents").fetchall()}

        log = ChangeLog(build_id)
        # re-extracted documents (vocabulary changed): their old rows go, the document row stays; the
        # old extraction is what the new one is compared with
        redo = [p.document.doc_id for p in batch.parsed if p.document.doc_id in existing]
        before = self._sides(redo, existing)
        if redo:
            for t in ("statements", "exceptions", "blocks", "documents"):
                con.execute(f"DELETE FROM {t} WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [redo])

        superseded = 0
        doc_rows, version_rows = [], []
        versions: dict[str, int] = {}
        replaces: dict[str, str] = {}          # new doc_id → the previous version's doc_id
        for p in batch.parsed:
            d = p.document
            key = keys[d.doc_id]
            prev = existing.get(d.doc_id)
            if prev:
                version = prev[2]
            else:
                version = 1 + (con.execute("SELECT coalesce(max(version), 0) FROM document_versions WHERE doc_key = ?",
                                           [key]).fetchall()[0][0])
                version_rows.append((key, version, d.doc_id, build_id))
                # the previous version of the same key, whatever its status
                older = con.execute("SELECT doc_id FROM documents WHERE doc_key = ? AND version < ? "
                                    "ORDER BY version DESC LIMIT 1", [key, version]).fetchall()
                if older:
                    replaces[d.doc_id] = older[0][0]
            versions[d.doc_id] = version
            doc_rows.append(dict(doc_id=d.doc_id, doc_key=key, version=version, status="active", source=d.source,
                                 media_type=d.media_type.value, title=d.title, payer=p.payer, page_count=d.page_count,
                                 size_bytes=d.size_bytes, block_count=len(d.blocks), text=d.text,
                                 warnings=list(d.warnings), first_build=build_id, last_build=build_id,
                                 extract_sig=batch.extract_sig))
        older_sides = self._sides(list(replaces.values()), existing)
        before.update({new_id: older_sides[old_id] for new_id, old_id in replaces.items()})
        self._insert("documents", doc_rows)
        if version_rows:
            self._insert("document_versions", [dict(zip(("doc_key", "version", "doc_id", "build_id"), r)) for r in version_rows])
        _checkpoint("documents")

        # unchanged documents: seen again, active again if they had been retired
        back = [doc_id for doc_id in batch.unchanged if doc_id in existing and existing[doc_id][3] == "retired"]
        for doc_id, side in self._sides(back, existing).items():
            log.appeared(existing[doc_id][1], side)
        if batch.unchanged:
            # id lists go in as one list parameter: bulk, and (unlike a registered Arrow table) it does not
            # make duckdb import pandas, which would cost a no-op build a third of a second
            con.execute("""UPDATE documents SET last_build = ?, status = 'active', source = seen.source
                           FROM (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS source) seen
                           WHERE documents.doc_id = seen.doc_id""",
                        [build_id, list(batch.unchanged), list(batch.unchanged.values())])

        # a newer version supersedes the older active ones with the same key
        for doc_id, key in keys.items():
            n = con.execute("""UPDATE documents SET status = 'superseded'
                               WHERE doc_key = ? AND doc_id <> ? AND status = 'active'
                                 AND version < (SELECT version FROM documents WHERE doc_id = ?)
                               RETURNING doc_id""", [key, doc_id, doc_id]).fetchall()
            superseded += len(n)

        gone = self._retire(batch.inputs, current_ids)
        for doc_id, side in self._sides(gone, existing).items():
            log.retired(existing[doc_id][1], side)
        retired = len(gone)

        self._insert_blocks(batch.parsed)
        _checkpoint("blocks")
        ids: dict[str, str] = {}
        taken = self._taken(set(keys.values()))
        for p in batch.parsed:
            d = p.document
            key = keys[d.doc_id]
            new = Side(d.doc_id, versions[d.doc_id], True, p.statements)
            ids.update(log.version(key, before.get(d.doc_id, Side()), new, taken.get(key, set())))
        self._insert_statements(batch.parsed, ids)
        self._insert("rule_changes", log.rows)
        self._insert("doc_rule_counts", [dict(build_id=build_id, doc_key=keys[p.document.doc_id], doc_id=p.document.doc_id,
                                              rules=len(p.statements)) for p in batch.parsed])
        _checkpoint("statements")
        self._insert_entities(batch.vocab)
        if batch.failures:
            self._insert("failures", [dict(build_id=build_id, source=e.path, code=e.code, reason=e.reason)
                                      for e in batch.failures])

        rules = con.execute("SELECT count(*) FROM coverage_rules").fetchall()[0][0]
        new_rules = sum(len(p.statements) for p in batch.parsed)
        new_vendors = [r[0] for r in con.execute(
            "SELECT DISTINCT s.vendor FROM coverage_rules c JOIN statements s USING (rule_id) WHERE s.vendor_new ORDER BY 1").fetchall()]
        con.execute("""UPDATE builds SET finished_at = ?, parsed = ?, unchanged = ?, failed = ?, retired = ?, rules = ?
                       WHERE build_id = ?""",
                    [datetime.now(), len(batch.parsed), len(batch.unchanged), len(batch.failures), retired, rules, build_id])
        return LoadResult(build_id=build_id, parsed=len(batch.parsed), unchanged=len(batch.unchanged),
                          failed=len(batch.failures), retired=retired, superseded=superseded,
                          pages=sum(p.document.page_count for p in batch.parsed), rules=rules, new_rules=new_rules,
                          new_vendors=new_vendors, changes=len(log.rows))

    def _sides(self, doc_ids: list[str], existing: dict[str, tuple]) -> dict[str, Side]:
        """The stored version of each of ``doc_ids`` as a change-log side (one query for all)."""
        if not doc_ids:
            return {}
        statements = self.statements(doc_ids=doc_ids)
        ids = self.stable_ids(doc_ids)
        out = {}
        for doc_id in doc_ids:
            row = existing.get(doc_id)
            mine = [s for s in statements if s.doc_id == doc_id]
            out[doc_id] = Side(doc_id, row[2] if row else None, bool(row and row[3] == "active"), mine,
                                     {s.rule_id: ids[s.rule_id] for s in mine})
        return out

    def _taken(self, doc_keys: set[str]) -> dict[str, set[str]]:
        """doc_key → stable ids ever given to its rules (a new claim never reuses one)."""
        out: dict[str, set[str]] = {}
        for key, sid in self.con.execute(
                """SELECT DISTINCT d.doc_key, s.stable_id FROM statements s JOIN documents d USING (doc_id)
                   WHERE d.doc_key IN (SELECT unnest(?::VARCHAR[])) AND s.stable_id IS NOT NULL""",
                [sorted(doc_keys)]).fetchall():
            out.setdefault(key, set()).add(sid)
        return out

    def _keys(self, batch: LoadBatch) -> dict[str, str]:
        """doc_id → document key for the documents parsed in this build."""
        con = self.con
        base = {p.document.doc_id: f"{norm_key(p.payer)}|{norm_key(p.document.title)}" for p in batch.parsed}
        # unchanged documents keep their stored key; their base is the key without a file part
        stored = dict(con.execute("SELECT doc_id, doc_key FROM documents").fetchall())
        current_bases = list(base.values()) + [stored[d].split("#", 1)[0] for d in batch.unchanged if d in stored]
        out = {}
        for p in batch.parsed:
            d = p.document
            if d.doc_id in stored:
                out[d.doc_id] = stored[d.doc_id]
                continue
            b = base[d.doc_id]
            out[d.doc_id] = f"{b}#{norm_key(Path(d.source).stem)}" if current_bases.count(b) > 1 else b
        return out

    def _retire(self, inputs: list[str], current: set[str]) -> list[str]:
        roots = [Path(i).resolve() for i in inputs]
        rows = self.con.execute("SELECT doc_id, source FROM documents WHERE status = 'active'").fetchall()
        gone = []
        for doc_id, source in rows:
            if doc_id in current:
                continue
            src = Path(source).resolve()
            if any(src == r or r in src.parents for r in roots):
                gone.append(doc_id)
        if gone:
            self.con.execute("UPDATE documents SET status = 'retired' WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                             [gone])
        return gone

    def _insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        cols = list(rows[0])
        arrow = pa.Table.from_pylist(rows)
        self.con.register("_rows", arrow)
        try:
            self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _rows")
        finally:
            self.con.unregister("_rows")

    def _insert_blocks(self, parsed: Iterable[ParsedDocument]) -> None:
        cols: dict[str, list] = {k: [] for k in ("doc_id", "block_index", "kind", "page", "level", "section_path", "text")}
        for p in parsed:
            for b in p.document.blocks:
                cols["doc_id"].append(p.document.doc_id)
                cols["block_index"].append(b.index)
                cols["kind"].append(b.kind.value)
                cols["page"].append(b.page)
                cols["level"].append(b.level)
                cols["section_path"].append(list(b.section_path))
                cols["text"].append(b.text)
        if cols["doc_id"]:
            self._insert_columns("blocks", cols)

    def _insert_statements(self, parsed: Iterable[ParsedDocument], stable: dict[str, str]) -> None:
        st: dict[str, list] = {k: [] for k in (
            "rule_id", "doc_id", "payer", "vendor", "program_type", "service", "line_of_business", "segment", "scope",
            "requirement", "exceptions", "inclusions", "conditions", "effective_from", "page", "quote", "block_index",
            "vendor_as_stated", "vendor_new", "section", "pattern", "stable_id")}
        ex: dict[str, list] = {k: [] for k in ("rule_id", "doc_id", "group_name", "group_number", "alternate_vendor", "quote")}
        for p in parsed:
            for s in p.statements:
                row = s.contract_row()
                for k in st:
                    if k in row:
                        st[k].append(row[k])
                st["effective_from"][-1] = s.effective_from
                st["block_index"].append(s.block_index)
                st["vendor_as_stated"].append(s.vendor_as_stated)
                st["vendor_new"].append(s.vendor_new)
                st["section"].append(s.section)
                st["pattern"].append(s.pattern)
                st["stable_id"].append(stable[s.rule_id])
                for r in s.exception_refs:
                    for k, v in (("rule_id", s.rule_id), ("doc_id", s.doc_id), ("group_name", r.name),
                                 ("group_number", r.group_number), ("alternate_vendor", r.alternate_vendor),
                                 ("quote", r.quote)):
                        ex[k].append(v)
        if st["rule_id"]:
            self._insert_columns("statements", st, types={"exceptions": pa.list_(pa.string()),
                                                          "inclusions": pa.list_(pa.string()),
                                                          "effective_from": pa.date32(),
                                                          "conditions": pa.string()})
        if ex["rule_id"]:
            self._insert_columns("exceptions", ex, types={"group_number": pa.string(), "alternate_vendor": pa.string()})

    def _insert_columns(self, table: str, cols: dict[str, list], types: dict | None = None) -> None:
        types = types or {}
        arrow = pa.table({k: pa.array(v, type=types.get(k)) for k, v in cols.items()})
        self.con.register("_cols", arrow)
        try:
            self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _cols")
        finally:
            self.con.unregister("_cols")

    def _insert_entities(self, vocab: Vocabulary) -> None:
        rows: list[tuple] = []
        for kind, items in (("payer", vocab.payers), ("department", vocab.departments), ("lob", vocab.lines_of_business),
                            ("service", vocab.services), ("group", vocab.employer_groups)):
            for it in items:
                rows.append((kind, it.name, it.name, "canonical", "vocabulary"))
                rows += [(kind, it.name, a, "alias", "vocabulary") for a in it.aliases]
                if kind == "group":
                    rows += [(kind, it.name, n, "group_number", "vocabulary") for n in it.group_numbers]
                if kind == "service" and it.within:
                    rows.append((kind, it.name, it.within, "within", "vocabulary"))
                if kind in ("lob", "department") and it.payer:
                    rows.append((kind, it.name, it.payer, "payer", "vocabulary"))
        for v in vocab.vendors:
            rows.append(("vendor", v.name, v.name, "canonical", "vocabulary"))
            rows += [("vendor", v.name, a, "alias", "vocabulary") for a in v.aliases]
            rows += [("vendor", v.name, a, "renamed_from", "vocabulary") for a in v.renamed_from]
            rows += [("vendor", v.name, a, "portal", "vocabulary") for a in v.portals]
        extracted = self.con.execute(
            "SELECT DISTINCT vendor, vendor_as_stated FROM statements WHERE vendor_new").fetchall()
        rows += [("vendor", name, stated or name, "as_stated", "extracted") for name, stated in extracted]
        stored = self.con.execute("SELECT kind, name, alias, relation, source FROM entities").fetchall()
        if sorted(stored) == sorted(rows):          # the usual case when nothing changed
            return
        self.con.execute("DELETE FROM entities")
        if not rows:
            return
        # five string columns as list parameters: one statement, and no pandas import (see _load)
        self.con.execute("INSERT INTO entities (kind, name, alias, relation, source) SELECT "
                         + ", ".join("unnest(?::VARCHAR[])" for _ in range(5)), [list(c) for c in zip(*rows)])
