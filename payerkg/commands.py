"""The work behind ``build``, ``who`` and ``export``: call the pipeline, print for people."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract import CONTRACT_COLUMNS, Vocabulary
from ingest import PayerkgError
from warehouse import Warehouse, WarehouseError
from warehouse.diff import Diff, diff
from warehouse.report import conflict_details, render_diff
from warehouse.versions import events, resolve_since
from warehouse.who import Question, who

from .output import render

if TYPE_CHECKING:
    from extract import Extractor
from .pipeline import build


class _Bar:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""

    def __init__(self, console):
        self.p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), TextColumn("{task.fields[name]}"), console=console, transient=True)
        self.task = None

    def __enter__(self):
        self.p.__enter__()
        return self

    def __exit__(self, *exc):
        return self.p.__exit__(*exc)

    def start(self, total: int) -> None:
        self.task = self.p.add_task("parsing", total=total, name="")

    def advance(self, name: str) -> None:
        self.p.update(self.task, advance=1, name=name)


def run_build(paths: list[str], db: Path, vocab_path: Path | None, err, strict: bool = False, workers: int = 1) -> int:
    """Build and print the summary to ``err``. Returns the exit status: 1 if a file failed, 2 if the
    load failed (database unchanged), 3 with ``strict`` if an expectation failed."""
    try:
        vocab = Vocabulary.load(vocab_path)
        report = build(paths, db, vocab=vocab, progress=lambda: _Bar(err), workers=workers)
    except (WarehouseError, PayerkgError) as e:
        err.print(f"[red]build failed, database unchanged:[/red] {e}", highlight=False)
        return 2
    r = report.result
    for e in report.failures:
        err.print(f"[red]FAILED[/red] {e}", highlight=False)
    err.print(f"build {r.build_id} → {db}: {report.files} files; {r.parsed} parsed ({r.pages} pages), "
              f"{r.unchanged} unchanged (skipped), {r.failed} failed, {r.retired} retired, {r.superseded} superseded",
              highlight=False)
    err.print(f"rules: {r.rules} active ({r.new_rules} loaded now); {r.changes} rule changes recorded; new vendors: "
              f"{', '.join(r.new_vendors) if r.new_vendors else 'none'}", highlight=False)
    err.print(f"conflicts: {r.conflicts} across documents" + (" (payerkg conflicts)" if r.conflicts else ""),
              highlight=False)
    v = r.validation
    if v is not None:
        how = f"results of build {v.carried_from}, nothing changed" if v.carried_from else "great-expectations"
        if v.success:
            err.print(f"validation: all {len(v.results)} expectations passed ({how}) → {report.validation_html}",
                      highlight=False)
        else:
            kinds = ", ".join(dict.fromkeys(f"{c.kind} ({c.column_name})" for c in v.failed))
            err.print(f"[red]validation: {len(v.failed)} of {len(v.results)} expectations failed[/red] ({how}): "
                      f"{kinds} → {report.validation_html}", highlight=False)
    if report.failures:
        return 1
    return 3 if strict and v is not None and not v.success else 0


def run_who(wh: Warehouse, service, payer, lob, segment, group, fmt: str, out, err) -> int:
    q = Question(service=service, payer=payer, line_of_business=lob, segment=segment, group=group)
    answer = who(wh, q)
    cols = ["verdict", "vendor", "service", "payer", "line_of_business", "segment", "scope", "exceptions",
            "inclusions", "conditions", "source", "page", "quote"]
    rows = [[getattr(f, c) if c != "source" else Path(f.source).name for c in cols] for f in answer.findings]
    if fmt != "table":
        render(fmt, out, cols, rows)
        return 0 if answer.findings else 1
    asked = ", ".join(f"{k}={v}" for k, v in answer.resolved.items() if v and k != "services")
    err.print(f"[bold]{asked}[/bold]", highlight=False)
    vendors = answer.vendors
    out.print(f"Handled by: {', '.join(vendors) if vendors else 'no vendor found for this member'}", highlight=False)
    short = ["verdict", "vendor", "service", "line_of_business", "segment", "scope", "source", "page"]
    render("table", out, short + ["#"], [[r[cols.index(c)] for c in short] + [i + 1] for i, r in enumerate(rows)])
    for i, f in enumerate(answer.findings, 1):
        why = f" — {f.vendor} instead of {f.instead_of}: “{f.exception_quote}”" if f.verdict == "redirected" else ""
        out.print(f"[{i}] {Path(f.source).name} p{f.page}: “{f.quote}”{why}", highlight=False)
    return 0 if answer.findings else 1


def run_conflicts(wh: Warehouse, fmt: str, out) -> int:
    """Print the conflicts with both statements side by side. Returns the number found."""
    rows = conflict_details(wh.con)
    if fmt == "json":
        cols = list(rows[0]) if rows else []
        render("json", out, cols, [list(r.values()) for r in rows])
    elif fmt == "md":
        out.out(conflicts_markdown(rows), highlight=False)
    else:
        short = ["#", "kind", "payer", "vendor", "service", "line_of_business", "segment"]
        render("table", out, short, [[i] + [r[c] for c in short[1:]] for i, r in enumerate(rows, 1)],
               title=f"{len(rows)} conflicts")
        for i, r in enumerate(rows, 1):
            out.print(f"[{i}] {r['detail']}", highlight=False)
            out.print(f"    A {Path(r['source_a']).name} p{r['page_a']}: “{r['quote_a']}”", highlight=False)
            out.print(f"    B {Path(r['source_b']).name} p{r['page_b']}: “{r['quote_b']}”", highlight=False)
    return len(rows)


def conflicts_markdown(rows: list[dict]) -> str:
    lines = [f"# Conflicts across documents ({len(rows)})", ""]
    for i, r in enumerate(rows, 1):
        lines += [f"## {i}. {r['kind']}: {r['vendor']} — {r['service']} ({r['line_of_business']}, {r['segment']})", "",
                  f"{r['payer']}; {r['detail']}; conflict `{r['conflict_id']}`", ""]
        for side in ("a", "b"):
            lines += [f"**{side.upper()}** {Path(r['source_' + side]).name}, page {r['page_' + side]} "
                      f"(rule `{r['rule_id_' + side]}`)", "", f"> {r['quote_' + side]}", ""]
    return "\n".join(lines).rstrip() + "\n"


@dataclass
class DiffSide:
    doc_id: str
    label: str                      # file name, or the stored document's source and version
    statements: list


def diff_side(arg: str, db: Path, extractor: Callable[[], "Extractor"]) -> DiffSide:
    """``arg`` is a file (parsed and extracted now, by ``extractor()``) or a document id, or its
    prefix, in ``db``."""
    path = Path(arg)
    if path.exists():
        from ingest import ingest_file

        doc = ingest_file(path)
        return DiffSide(doc.doc_id, path.name, list(extractor().extract(doc).statements))
    if not re.fullmatch(r"[0-9a-fA-F]{6,64}", arg):
        raise PayerkgError(f"{arg}: no such file (and not a document id)")
    if not Path(db).exists():
        raise PayerkgError(f"{arg}: no such file, and no database {db} to look the document id up in")
    with Warehouse(db, read_only=True) as wh:
        rows = wh.query("SELECT doc_id, source, version FROM documents WHERE starts_with(doc_id, ?) ORDER BY doc_id",
                        [arg.lower()])[1]
        if len(rows) != 1:
            raise PayerkgError(f"{arg}: {'no document' if not rows else f'{len(rows)} documents'} in {db} "
                               f"with an id starting so" + ("" if not rows else "; give more of the id"))
        doc_id, source, version = rows[0]
        return DiffSide(doc_id, f"{Path(source).name} v{version}", wh.statements(doc_ids=[doc_id]))


def run_diff(old: str, new: str, fmt: str, db: Path, vocab_path: Path | None, out, out_path: Path | None) -> Diff:
    """Compare two versions; print (or write to ``out_path``) in ``fmt``. Raises PayerkgError."""
    vocab = Vocabulary.load(vocab_path)

    @lru_cache(maxsize=1)
    def extractor():
        from extract import Extractor  # spaCy: only when a side is a file

        return Extractor(vocab)

    a, b = (diff_side(x, db, extractor) for x in (old, new))
    d = diff(a.statements, b.statements, a.doc_id, b.doc_id)
    if fmt == "json":
        text = json.dumps(d.to_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_diff(d, fmt, a.label, b.label)
    if out_path:
        Path(out_path).write_text(text, encoding="utf-8")
    else:
        out.out(text, highlight=False, end="")
    return d


def run_events(wh: Warehouse, since: str, path: Path) -> int:
    """``export --format jsonl --since``: upsert and delete events with stable rule ids."""
    from .output import _jsonable

    try:
        after = resolve_since(wh.con, since)
    except ValueError as e:
        raise PayerkgError(str(e)) from None
    rows = events(wh.con, after)
    _write_atomic(path, "".join(json.dumps(_jsonable(e), ensure_ascii=False) + "\n" for e in rows))
    return len(rows)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def run_export(wh: Warehouse, fmt: str, path: Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("graphml", "json"):
        kg = wh.graph()
        (kg.write_graphml if fmt == "graphml" else kg.write_json)(path)
        return kg.g.number_of_nodes()
    order = "ORDER BY rule_id"
    if fmt == "parquet":
        tmp = path.with_suffix(path.suffix + ".tmp")
        wh.con.execute(f"COPY (SELECT * FROM coverage_rules {order}) TO '{_sql_str(tmp)}' (FORMAT parquet)")
        tmp.replace(path)
        return wh.query("SELECT count(*) FROM coverage_rules")[1][0][0]
    cols, rows = wh.query(f"SELECT * FROM coverage_rules {order}")
    from .output import to_jsonl

    assert cols == CONTRACT_COLUMNS, cols
    _write_atomic(path, to_jsonl(cols, rows) + ("\n" if rows else ""))
    return len(rows)


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")
