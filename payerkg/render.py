"""The CLI's one renderer: library results → text for people (rich tables) and machines (csv, json,
jsonl, md, html). Data goes to ``out`` (stdout); summaries, progress and errors to ``err`` (stderr).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from extract import CONTRACT_COLUMNS
from ingest import Block, Document, IngestOutcome, PayerkgError
from warehouse import LoadError
from warehouse.conflicts import Conflict
from warehouse.diff import Diff
from warehouse.export import Export, jsonable
from warehouse.report import render_conflicts_markdown, render_diff
from warehouse.who import Answer

from .pipeline import BuildReport
from .render_answers import answer as grouped_answer
from .render_answers import conflict_table, conflicts_summary

if TYPE_CHECKING:
    from extract import Extraction

    from .site import SiteReport


# -- rows in any format ------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    return "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else ("" if v is None else str(v))


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([{c: jsonable(v) for c, v in zip(columns, r)} for r in rows], ensure_ascii=False, indent=2)


def to_jsonl(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return "\n".join(json.dumps({c: jsonable(v) for c, v in zip(columns, r)}, ensure_ascii=False) for r in rows)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue().rstrip("\n")


def rows(
    out: Console, fmt: str, columns: Sequence[str], data: Sequence[Sequence[Any]], title: Optional[str] = None
) -> None:
    """Write rows as ``fmt``: table (rich), csv, json or jsonl."""
    if fmt == "table":
        t = Table(title=title, show_lines=False)
        for c in columns:
            t.add_column(str(c), overflow="fold")
        for r in data:
            t.add_row(*[_cell(v) for v in r])
        out.print(t)
        return
    text = {"csv": to_csv, "json": to_json, "jsonl": to_jsonl}[fmt](columns, data)
    out.out(text, highlight=False)


def line(console: Console, text: str) -> None:
    console.print(text, highlight=False)


def error(err: Console, e: BaseException) -> None:
    prefix = "build failed, database unchanged" if isinstance(e, LoadError) else "error"
    line(err, f"[red]{prefix}:[/red] {e}")


def failed(err: Console, e: PayerkgError) -> None:
    line(err, f"[red]FAILED[/red] {e}")


class ProgressBar:
    """A rich progress bar on stderr (hidden when stderr is not a terminal); a ``pipeline.Progress``."""

    def __init__(self, console: Console):
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = RichProgress(*columns, TextColumn("{task.fields[name]}"), console=console, transient=True)
        self.task: Any = None

    def __enter__(self) -> ProgressBar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("parsing", total=total, name="")

    def advance(self, name: str) -> None:
        self.bar.update(self.task, advance=1, name=name)


# -- ingest and extract ----------------------------------------------------------------------------
def block_line(b: Block) -> str:
    path = " > ".join(b.section_path)
    text = b.text.replace("\n", " ⏎ ")
    bold = f"  [bold: {' | '.join(b.bold_text())}]" if b.bold else ""
    return f"p{b.page} {b.kind.value:<9} L{b.level} [{path}] {text}{bold}"


def document(out: Console, doc: Document, fmt: str) -> None:
    """One parsed document: ``json`` (a record without the text), ``text`` (a line per block)."""
    if fmt == "json":
        out.out(json.dumps(_document_dict(doc), ensure_ascii=False), highlight=False)
    elif fmt == "text":
        about = f"{doc.media_type.value}, {doc.page_count} pages, {len(doc.blocks)} blocks, sha256 {doc.doc_id[:12]}"
        out.out(f"# {doc.source}  ({about})", highlight=False)
        for b in doc.blocks:
            out.out(block_line(b), highlight=False)
            for r in b.rows:
                cells = " | ".join(c.replace("\n", " ⏎ ") for c in r.cells)
                out.out(f"    row p{r.page}{' header' if r.header else ''}: {cells}", highlight=False)


def _document_dict(doc: Document) -> dict[str, Any]:
    """The document as a record, without its full text (the blocks carry it)."""
    d = dataclasses.asdict(doc)
    d["media_type"] = doc.media_type.value
    for b in d["blocks"]:
        b["kind"] = b["kind"].value if hasattr(b["kind"], "value") else b["kind"]
    d.pop("text")
    return d


def ingest(out: Console, err: Console, outcomes: Iterable[IngestOutcome], fmt: str) -> int:
    """Every document in ``fmt`` (text, json, summary), failures and a total on stderr. Returns the failures."""
    seen: list[tuple[str, str, int, int]] = []
    for o in outcomes:
        if o.document is None:
            failed(err, o.error or PayerkgError(o.path))
            seen.append((o.path, "failed", 0, 0))
            continue
        doc = o.document
        for w in doc.warnings:
            line(err, f"[yellow]warning[/yellow] {doc.source}: {w}")
        seen.append((doc.source, doc.media_type.value, doc.page_count, len(doc.blocks)))
        document(out, doc, fmt)
    if fmt == "summary":
        for path, kind, pages, blocks in seen:
            out.out(f"{path}\t{kind}\t{pages} pages\t{blocks} blocks", highlight=False)
    failures = sum(s[1] == "failed" for s in seen)
    pages, blocks = sum(s[2] for s in seen), sum(s[3] for s in seen)
    line(err, f"ingested {len(seen) - failures} document(s), {pages} pages, {blocks} blocks; {failures} failed")
    return failures


EXTRACT_TABLE = ["vendor", "service", "line_of_business", "segment", "scope", "exceptions", "inclusions", "page"]


def extractions(
    out: Console,
    err: Console,
    results: Iterable[tuple[str, Extraction | PayerkgError]],
    fmt: str,
    explain: bool = False,
) -> int:
    """Extracted rules in reading order as ``jsonl`` (every contract column), ``table`` or only the
    per-file counts (``summary``, always on stderr); with ``explain``, each rule's slots and what
    was not understood instead. Returns the failures."""
    records: list[dict[str, Any]] = []
    counts: list[tuple[str, int, int]] = []
    failures = 0
    for path, result in results:
        if isinstance(result, PayerkgError):
            failures += 1
            failed(err, result)
            continue
        stmts = sorted(result.statements, key=lambda s: (s.page, s.block_index, s.rule_id))
        counts.append((path, len(stmts), sum(s.vendor_new for s in stmts)))
        records += [s.contract_row() for s in stmts]
        if explain:
            explanation(out, path, result, stmts)
    if explain:
        for path, n, new in counts:
            line(err, f"{path}: {n} rules ({new} from vendors not in the vocabulary)")
        return failures
    if fmt == "jsonl":
        rows(out, "jsonl", CONTRACT_COLUMNS, [[r[c] for c in CONTRACT_COLUMNS] for r in records])
    elif fmt == "table":
        rows(out, "table", EXTRACT_TABLE, [[r[c] for c in EXTRACT_TABLE] for r in records])
    for path, n, new in counts:
        line(err, f"{path}: {n} rules ({new} from vendors not in the vocabulary)")
    line(err, f"extracted {len(records)} rules from {len(counts)} document(s); {failures} failed")
    return failures


def explanation(out: Console, path: str, result: Extraction, stmts: Sequence[Any]) -> None:
    """One document's rules, each with the text that filled each slot, then what it names but yields
    no rule from (plain text: this is read by a person reviewing a new document)."""
    out.print(f"# {path} — payer {result.payer}" + (" (not in the vocabulary)" if result.payer_new else ""),
              markup=False, highlight=False)  # fmt: skip
    for n, s in enumerate(stmts, 1):
        head = f"{n}. {s.vendor} | {s.service} | {s.line_of_business} | {s.segment.value} | {s.scope.value} | "
        out.print(head + s.requirement.value, markup=False, highlight=False)
        for slot, text in s.explain:
            out.print(f"     {slot}: {text}", markup=False, highlight=False)
    if result.unexplained:
        out.print(f"not understood ({len(result.unexplained)}):", markup=False, highlight=False)
        for m in result.unexplained:
            out.print(f"   p{m.page} block {m.block_index}: {m.text[:160]!r} — {m.why}", markup=False, highlight=False)
    out.print("", markup=False)


# -- build, who, conflicts, diff, export -------------------------------------------------------------
def build_summary(err: Console, report: BuildReport) -> None:
    r = report.result
    for e in report.failures:
        failed(err, e)
    if report.migrated_from is not None:
        line(err, f"migrated {report.db} from {_schema(report.migrated_from)} to the current schema")
    files = f"{report.files} files; {r.parsed} parsed ({r.pages} pages), {r.unchanged} unchanged (skipped)"
    line(
        err,
        f"build {r.build_id} → {report.db}: {files}, {r.failed} failed, {r.retired} retired, {r.superseded} superseded",
    )
    vendors = ", ".join(r.new_vendors) if r.new_vendors else "none"
    line(
        err,
        f"rules: {r.rules} active ({r.new_rules} loaded now); {r.changes} rule changes recorded; new vendors: {vendors}",
    )
    line(err, conflicts_summary(r))
    if r.unexplained:
        line(
            err,
            f"unexplained mentions: {r.unexplained} in {r.unexplained_docs} document(s) name a vendor or use "
            "delegation language but yield no rule (SELECT * FROM unexplained_mentions)",
        )
    v = report.validation
    if v is None:
        return
    how = f"results of build {v.carried_from}, nothing changed" if v.carried_from else "great-expectations"
    if v.success:
        line(err, f"validation: all {len(v.results)} expectations passed ({how}) → {report.validation_html}")
    else:
        kinds = ", ".join(dict.fromkeys(f"{c.kind} ({c.column_name})" for c in v.failed))
        failed_of = f"{len(v.failed)} of {len(v.results)} expectations failed"
        line(err, f"[red]validation: {failed_of}[/red] ({how}): {kinds} → {report.validation_html}")


def _schema(version: int) -> str:
    return "before schema versions" if version == 0 else f"schema version {version}"


def migrated(err: Console, db: Path, migrated_from: Optional[int], version: int) -> None:
    if migrated_from is None:
        line(err, f"{db} is at schema version {version}; nothing to migrate")
    else:
        line(err, f"migrated {db} from {_schema(migrated_from)} to schema version {version}")


WHO_COLUMNS = "verdict vendor service payer line_of_business segment scope exceptions inclusions conditions source page quote".split()  # noqa: SIM905


def who(out: Console, err: Console, answer: Answer, fmt: str) -> None:
    data = [[Path(f.source).name if c == "source" else getattr(f, c) for c in WHO_COLUMNS] for f in answer.findings]
    if fmt != "table":
        rows(out, fmt, WHO_COLUMNS, data)
        return
    line(err, "[bold]" + ", ".join(f"{k}={v}" for k, v in answer.resolved.items() if v and k != "services") + "[/bold]")
    grouped_answer(out, answer)


def conflicts(out: Console, found: Sequence[Conflict], fmt: str) -> None:
    if fmt == "json":
        dicts = [c.to_dict() for c in found]
        rows(out, "json", list(dicts[0]) if dicts else [], [list(d.values()) for d in dicts])
    elif fmt == "md":
        out.out(render_conflicts_markdown(found), highlight=False)
    else:
        conflict_table(out, found)


def diff_text(d: Diff, fmt: str) -> str:
    """The diff as ``json`` (the contract), ``md`` or ``html``."""
    if fmt == "json":
        return json.dumps(d.to_json(), ensure_ascii=False, indent=2) + "\n"
    return render_diff(d, fmt)


def diff_counts(err: Console, d: Diff, out_path: Optional[Path]) -> None:
    n = d.counts()
    to = f" → {out_path}" if out_path else ""
    line(err, f"{n['changed']} changed, {n['removed']} removed, {n['added']} added{to}")


def exported(err: Console, e: Export) -> None:
    line(err, f"wrote {e.count} {e.unit} to {e.path}")


def site_written(err: Console, s: SiteReport) -> None:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    missing = f"; {n(len(s.missing_sources), 'PDF')} not found, shown as text: {', '.join(s.missing_sources)}"
    line(err, f"report → {s.index}: {n(len(s.pages), 'page')} ({n(s.documents, 'document')}, {n(s.rules, 'rule')}, "
              f"{n(s.conflicts, 'conflict')}); page images {s.images_rendered} rendered, {s.images_reused} reused; "
              f"{s.seconds:.1f} s" + (missing if s.missing_sources else ""))  # fmt: skip
