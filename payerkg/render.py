"""The CLI's renderer: library results → text for people (tables that fit the terminal) and machines
(tsv, csv, json, jsonl, md, html). Data goes to ``out`` (stdout); summaries, progress and errors to
``err`` (stderr). Rows in every format are ``payerkg.tables``; ingest and extract output is
``payerkg.render_docs``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rich.console import Console
from rich.markup import escape

from warehouse.errors import ArgumentError, LoadError, RetirementRefusedError

from . import tables
from .errors import describe
from .render_answers import acknowledged as acknowledged
from .render_answers import answer as grouped_answer
from .render_answers import conflict_table, conflicts_summary

if TYPE_CHECKING:  # what only some commands render: `query` loads neither `who` nor the exporters
    from ingest import PayerkgError
    from warehouse.conflicts import Conflict
    from warehouse.diff import Diff
    from warehouse.export import Export
    from warehouse.who import Answer

    from .pipeline import BuildReport
    from .site import SiteReport


# -- rows in any format ------------------------------------------------------------------------------
def rows(
    out: Console, fmt: str, columns: Sequence[str], data: Sequence[Sequence[Any]], title: Optional[str] = None
) -> None:
    """Write rows as ``fmt``: table (fits the terminal), tsv, csv, json or jsonl (``payerkg.tables``)."""
    tables.write(out, fmt, columns, data, title)


def line(console: Console, text: str) -> None:
    """A line of payerkg's own text (rich markup allowed, e.g. ``[red]``)."""
    console.print(text, highlight=False)


def plain(console: Console, text: str) -> None:
    """A line that may hold document text: printed as it is (no markup, no highlighting)."""
    console.print(text, markup=False, highlight=False)


def error(err: Console, e: BaseException | str) -> None:
    """Any error, on one line on stderr (``payerkg.errors.describe``): ``error: …`` (``build failed,
    database unchanged: …`` for a failed load)."""
    if isinstance(e, RetirementRefusedError):
        prefix = "build refused"
    else:
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
        self.bar = (
            RichProgress(*columns, TextColumn("{task.fields[name]}"), console=console, transient=True)
            if console.is_terminal
            else None
        )
        self.task: Any = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.__exit__(*exc)

    def start(self, total: int) -> None:
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task("parsing", total=total, name="")

    def advance(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, name=name)


# -- build, who, conflicts, diff, export -------------------------------------------------------------
def build_summary(err: Console, report: BuildReport) -> None:
    r = report.result
    for e in report.failures:
        failed(err, e)
    if report.log is not None:
        internal = sum(e.code == "E150" for e in report.failures)
        line(err, f"{internal} internal error(s) (E150): tracebacks in {escape(str(report.log))}")
    if report.files == 0:
        from ingest.api import SUPPORTED_SUFFIXES

        line(err, f"[yellow]warning:[/yellow] no document under the inputs ({', '.join(SUPPORTED_SUFFIXES)})")
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
    if report.notices:
        line(err, f"[yellow]{len(report.notices)} document(s) to look at[/yellow] (build --strict fails on these):")
        for n in report.notices:
            plain(err, f"  {n.source}: {n.reason}")
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
    """The findings as rows (``tsv``, ``csv``, ``json``) or, for people, the grouped answer
    (``render_answers.answer``); hints (unknown names, where the service is) on stderr."""
    if fmt != "table":
        data = [[Path(f.source).name if c == "source" else getattr(f, c) for c in WHO_COLUMNS] for f in answer.findings]
        rows(out, fmt, WHO_COLUMNS, data)
        who_hints(err, answer)
        return
    line(err, "[bold]" + ", ".join(f"{k}={v}" for k, v in answer.resolved.items() if v and k != "services") + "[/bold]")
    grouped_answer(out, answer)
    who_hints(err, answer)


def who_hints(err: Console, answer: Answer) -> None:
    h = answer.hints
    for slot, name in h.unknown.items():
        close = h.suggestions.get(slot)
        maybe = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        plain(err, f"no rule and no vocabulary entry knows the {slot.replace('_', ' ')} {name!r}{maybe}")
    if h.services:
        plain(err, f"services with rules: {', '.join(h.services)}")
    if h.covered_for:
        plain(err, f"no rule matches this member; {answer.resolved['service']} has rules for:")
        by_payer: dict[str, list[str]] = {}
        for c in h.covered_for:
            by_payer.setdefault(c.payer, []).append(f"{c.line_of_business} ({', '.join(c.segments)})")
        for payer, lines in by_payer.items():
            plain(err, f"  {payer}: {'; '.join(lines)}")


def conflicts(out: Console, found: Sequence[Conflict], fmt: str) -> None:
    """``md`` for a review, ``table`` for people (each conflict's detail and both quotes under the
    table), else every field of each conflict as ``tsv``, ``csv`` or ``json``."""
    if fmt == "md":
        from warehouse.report import render_conflicts_markdown

        out.out(render_conflicts_markdown(found), highlight=False)
        return
    if fmt != "table":
        from warehouse.conflicts import COLUMNS

        rows(out, fmt, COLUMNS, [list(c.to_dict().values()) for c in found])
        return
    conflict_table(out, found)


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


def exported(err: Console, e: Export, to: Optional[str] = None) -> None:
    line(err, f"wrote {e.count} {e.unit} to {to or e.path}")


def copy_to_stdout(out: Console, path: Path) -> None:
    """The bytes of ``path`` to stdout (an export with ``--out -``); a binary file is not sent to a
    terminal."""
    data = path.read_bytes()
    if out.is_terminal and b"\0" in data[:1024]:
        raise ArgumentError(f"{path.suffix.lstrip('.')} is binary: redirect stdout to a file or give --out FILE")
    out.file.flush()
    stream = getattr(out.file, "buffer", None)
    if stream is None:
        out.file.write(data.decode("utf-8"))
    else:
        stream.write(data)
        stream.flush()


def site_written(err: Console, s: SiteReport) -> None:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    missing = f"; {n(len(s.missing_sources), 'PDF')} not found, shown as text: {', '.join(s.missing_sources)}"
    stale = f"; {n(len(s.stale), 'document')} older than {s.stale_days} days marked stale: {', '.join(s.stale)}"
    line(err, f"report → {s.index}: {n(len(s.pages), 'page')} ({n(s.documents, 'document')}, {n(s.rules, 'rule')}, "
              f"{n(s.conflicts, 'conflict')}); page images {s.images_rendered} rendered, {s.images_reused} reused; "
              f"{s.seconds:.1f} s" + (missing if s.missing_sources else "") + (stale if s.stale else ""))  # fmt: skip
