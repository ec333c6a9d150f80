"""The CLI's renderer: library results → text for people (rich tables) and machines (csv, json,
jsonl, md, html). Data goes to ``out`` (stdout); summaries, progress and errors to ``err`` (stderr).
Documents' blocks and rules (``payerkg ingest`` / ``extract``) are rendered by ``render_docs``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingest import PayerkgError
from warehouse import LoadError
from warehouse.conflicts import Conflict
from warehouse.export import jsonable
from warehouse.who import Answer

from .errors import describe

if TYPE_CHECKING:  # what only diff, export and build render with: query and who stay fast
    from warehouse.diff import Diff
    from warehouse.export import Export

    from .pipeline import BuildReport


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


def error(err: Console, e: BaseException | str) -> None:
    """Any error, on one line (``payerkg.errors.describe``)."""
    prefix = "build failed, database unchanged" if isinstance(e, LoadError) else "error"
    line(err, f"[red]{prefix}:[/red] {escape(e if isinstance(e, str) else describe(e))}")


def failed(err: Console, e: PayerkgError) -> None:
    line(err, f"[red]FAILED[/red] {escape(describe(e))}")


def waiting(err: Console, message: str) -> None:
    """A build waits for the database another process holds (said once)."""
    line(err, f"[yellow]waiting:[/yellow] {escape(message)}")


class ProgressBar:
    """A rich progress bar on stderr (hidden when stderr is not a terminal); a ``pipeline.Progress``.
    It appears when parsing starts, so what comes before (an error, waiting for the database) is
    printed on its own."""

    def __init__(self, console: Console):
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = RichProgress(
            *columns,
            TextColumn("{task.fields[name]}"),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task: Any = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.task is not None:
            self.bar.__exit__(*exc)

    def start(self, total: int) -> None:
        self.bar.__enter__()
        self.task = self.bar.add_task("parsing", total=total, name="")

    def advance(self, name: str) -> None:
        self.bar.update(self.task, advance=1, name=name)


# -- build, who, conflicts, diff, export -------------------------------------------------------------
def build_summary(err: Console, report: BuildReport) -> None:
    r = report.result
    for e in report.failures:
        failed(err, e)
    if report.log is not None:
        internal = sum(e.code == "E150" for e in report.failures)
        line(err, f"{internal} internal error(s) (E150): tracebacks in {escape(str(report.log))}")
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
    line(err, f"conflicts: {r.conflicts} across documents" + (" (payerkg conflicts)" if r.conflicts else ""))
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
WHO_TABLE = ["verdict", "vendor", "service", "line_of_business", "segment", "scope", "source", "page"]


def who(out: Console, err: Console, answer: Answer, fmt: str) -> None:
    data = [[Path(f.source).name if c == "source" else getattr(f, c) for c in WHO_COLUMNS] for f in answer.findings]
    if fmt != "table":
        rows(out, fmt, WHO_COLUMNS, data)
        return
    line(err, "[bold]" + ", ".join(f"{k}={v}" for k, v in answer.resolved.items() if v and k != "services") + "[/bold]")
    vendors = answer.vendors
    line(out, f"Handled by: {', '.join(vendors) if vendors else 'no vendor found for this member'}")
    idx = [WHO_COLUMNS.index(c) for c in WHO_TABLE]
    rows(out, "table", [*WHO_TABLE, "#"], [[r[i] for i in idx] + [n] for n, r in enumerate(data, 1)])
    for n, f in enumerate(answer.findings, 1):
        why = f" — {f.vendor} instead of {f.instead_of}: “{f.exception_quote}”" if f.verdict == "redirected" else ""
        line(out, f"[{n}] {Path(f.source).name} p{f.page}: “{f.quote}”{why}")


CONFLICT_TABLE = ["kind", "payer", "vendor", "service", "line_of_business", "segment"]


def conflicts(out: Console, found: Sequence[Conflict], fmt: str) -> None:
    if fmt == "json":
        dicts = [c.to_dict() for c in found]
        rows(out, "json", list(dicts[0]) if dicts else [], [list(d.values()) for d in dicts])
    elif fmt == "md":
        from warehouse.report import render_conflicts_markdown

        out.out(render_conflicts_markdown(found), highlight=False)
    else:
        rows(
            out,
            "table",
            ["#", *CONFLICT_TABLE],
            [[n] + [getattr(c, k) for k in CONFLICT_TABLE] for n, c in enumerate(found, 1)],
            title=f"{len(found)} conflicts",
        )
        for n, c in enumerate(found, 1):
            line(out, f"[{n}] {c.detail}")
            line(out, f"    A {Path(c.source_a).name} p{c.page_a}: “{c.quote_a}”")
            line(out, f"    B {Path(c.source_b).name} p{c.page_b}: “{c.quote_b}”")


def diff_text(d: Diff, fmt: str) -> str:
    """The diff as ``json`` (the contract), ``md`` or ``html``."""
    if fmt == "json":
        return json.dumps(d.to_json(), ensure_ascii=False, indent=2) + "\n"
    from warehouse.report import render_diff

    return render_diff(d, fmt)


def diff_counts(err: Console, d: Diff, out_path: Optional[Path]) -> None:
    n = d.counts()
    to = f" → {out_path}" if out_path else ""
    line(err, f"{n['changed']} changed, {n['removed']} removed, {n['added']} added{to}")


def exported(err: Console, e: Export) -> None:
    line(err, f"wrote {e.count} {e.unit} to {e.path}")
