"""The ``payerkg`` command line: parse options, call the library, render, exit.

Each command parses its options into a library call (``payerkg.knowledge``, ``payerkg.pipeline``),
hands the typed result to ``payerkg.render`` and returns. Exit statuses are decided in one place
(``payerkg.exits``: ``exit_code`` for errors, one line each; ``build_status`` below for outcomes).
Data goes to stdout; progress, summaries and errors to stderr. Options are written once (``payerkg.options``),
output formats too (``payerkg.formats``), and logging is set up in ``payerkg.logs``.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

from . import coercion
from . import options as o
from .exits import SOME_FAILED, STRICT_FAILED, exit_code, reports_errors, run
from .formats import DiffFormat, IngestFormat, rows_default
from .lazy import OnFirstUse

if TYPE_CHECKING:
    from . import config, decisions, inputs, knowledge, logs, pipeline, render, render_docs, site
else:  # imported when a command first uses them (payerkg/lazy.py)
    config, decisions, inputs, knowledge, logs, pipeline, render, render_docs, site = (
        OnFirstUse(f"payerkg.{m}")
        for m in ("config", "decisions", "inputs", "knowledge", "logs", "pipeline", "render", "render_docs", "site")
    )

coercion.install()  # text, --format and --db values without importing pydantic (payerkg/coercion.py)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

# -- exit statuses: the one place (``payerkg.exits``), outcomes here -----------------------------------
__all__ = ["app", "build_status", "exit_code", "main"]
_reports_errors = reports_errors(err)


def build_status(report: pipeline.BuildReport, strict: bool) -> int:
    if report.failures:
        return SOME_FAILED
    failed_checks = report.validation is not None and not report.validation.success
    return STRICT_FAILED if strict and (failed_checks or bool(report.notices)) else 0


class _Group(TyperGroup):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if problem := o.misread_verbosity(args):
            render.error(err, problem)
            raise typer.Exit(2)
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="payerkg: who manages prior authorization and care management for whom, with the source sentence.\n\n"
    "Start with `payerkg build seeds/`, then `payerkg who --help`. Exit status: 0 done, 1 some inputs failed "
    "(or who found no rule), 2 the command failed, 3 build --strict found a problem.",
)


@app.callback()
def _main(version: o.Version = False) -> None:
    pass


@app.command()
@_reports_errors
def ingest(
    paths: o.Paths, fmt: o.IngestFmt = IngestFormat.text, max_bytes: o.MaxBytes = None, verbose: o.Verbose = 0
) -> None:
    """Parse documents into blocks and print them, to see what the parser saw.

    Each block with its page, section path and bold spans; --format summary gives one row a document.
    Example:

        payerkg ingest seeds/000_8f9831b6703bc328.pdf --format text
    """
    from ingest import ingest_paths

    logs.configure(verbose)
    cfg = config.BuildConfig.from_env(max_bytes=max_bytes)
    rows_fmt = rows_default(None, out.is_terminal)
    outcomes = ingest_paths(inputs.input_files(paths), cfg.ingest_options())
    failures = render_docs.ingest(out, err, outcomes, fmt.value, rows_fmt)
    raise typer.Exit(SOME_FAILED if failures else 0)


@app.command()
@_reports_errors
def extract(
    paths: o.Paths, fmt: o.ExtractFmt = None, vocab: o.Vocab = None, explain: o.Explain = False, verbose: o.Verbose = 0,
) -> None:  # fmt: skip
    """Extract vendor × service × line of business × segment rules with their quotes, without a database.

    With --explain, each rule is followed by the text that filled each of its slots (the statement
    itself, the section heading, the list line or the program it belongs to, with block and page),
    and each document ends with what it names but yields no rule from.
    Example:

        payerkg extract seeds/001_e5baff2b9bde9ead.pdf --explain
    """
    logs.configure(verbose)
    cfg = config.BuildConfig.from_env(vocab=vocab)
    results = decisions.extractions(knowledge.extract_all(paths, cfg))
    failures = render_docs.extractions(out, err, results, rows_default(fmt, out.is_terminal), explain=explain)
    raise typer.Exit(SOME_FAILED if failures else 0)


@app.command()
@_reports_errors
def build(
    paths: o.BuildPaths = None, db: o.Db = None, vocab: o.Vocab = None, strict: o.Strict = False, prune: o.Prune = False,
    workers: o.Workers = None, doc_timeout: o.DocTimeout = None, max_pages: o.MaxPages = None,
    max_memory: o.MaxMemory = None, wait: o.Wait = None, engine: o.Engine = None, ray_address: o.RayAddress = None,
    verbose: o.Verbose = 0,
) -> None:  # fmt: skip
    """Ingest, extract and load documents into DuckDB (one transaction), validate, print a summary.

    Unchanged documents (same sha256) are not parsed again; documents gone from the inputs are
    retired, but a build that would retire more than half of the active documents under its inputs
    refuses unless --prune. Each document is parsed in a worker process with a time, page and memory
    limit: one that fails is named with its code (E140 time, E141 pages, E142 structure or memory,
    E150 internal) and the rest loads. The summary names each document that gave no rules, no payer
    or sentences it could not read. great-expectations suites check every build (table
    validation_results and an HTML report next to the database). A database another process holds
    is waited for (--wait). --engine ray parses each document as a Ray task (README "Scaling out").
    Exit status: 0 ok, 1 a file failed, 2 the load failed or was refused
    (database unchanged), 3 with --strict an expectation failed or a document was flagged.
    Example:

        payerkg build seeds/ --db payerkg.duckdb --strict --doc-timeout 60
    """
    cfg = config.BuildConfig.from_env(
        db=db, vocab=vocab, workers=workers, doc_timeout=doc_timeout, max_pages=max_pages, max_memory=max_memory,
        wait=wait, engine=engine, ray_address=ray_address,
    )  # fmt: skip
    logs.configure(verbose, pipeline.log_path(cfg.db))  # -v: the libraries' warnings go to the build's log file
    with render.ProgressBar(err) as bar:
        report = pipeline.build(
            paths or None, config=cfg, progress=bar, prune=prune, on_wait=lambda m: render.waiting(err, m)
        )
    render.build_summary(err, report)
    raise typer.Exit(build_status(report, strict))


@app.command()
@_reports_errors
def query(sql: o.Sql, db: o.Db = None, fmt: o.RowsFmt = None, allow_files: o.AllowFiles = False) -> None:
    """Run SQL against the warehouse (read-only; no file is read or written unless --allow-files).

    Example:

        payerkg query "select vendor, count(*) as rules from coverage_rules group by 1"
    """
    with knowledge.open(db, allow_files=allow_files) as k:
        result = k.rows(sql)
    render.rows(out, rows_default(fmt, out.is_terminal), result.columns, result.rows)


@app.command()
@_reports_errors
def who(
    service: o.Service, payer: o.Payer = None, line_of_business: o.Lob = None, segment: o.SegmentOpt = None,
    group: o.Group = None, db: o.Db = None, fmt: o.RowsFmt = None, as_of: o.AsOf = None,
) -> None:  # fmt: skip
    """Which vendor handles a service for a member, with scope, exceptions and the quoted source.

    Names may be aliases, former names or group numbers. Rows that say the same thing are one, most
    specific first, each verdict with its conditions, then a one-line answer. --as-of YYYY-MM-DD: who
    handled it that day. Unknown names get "did you mean" suggestions; when no rule matches, the lines
    and segments the service is covered for are listed. Exit status 1 when no rule answers. Example:

        payerkg who -s cardiology -p "Northwind Health" -l "Medicare Advantage"
    """
    with knowledge.open(db) as k:
        member = dict(payer=payer, line_of_business=line_of_business, segment=segment, group=group, as_of=as_of)
        answer = k.who(service, **member)
    render.who(out, err, answer, rows_default(fmt, out.is_terminal))
    raise typer.Exit(0 if answer.findings else SOME_FAILED)


@app.command()
@_reports_errors
def conflicts(
    db: o.Db = None, fmt: o.ConflictFmt = None, ack: o.Ack = None, note: o.Note = None, show_all: o.ShowAll = False
) -> None:
    """Contradictions across documents of one payer, with both statements (document, page, quote).

    The open ones; --all adds the acknowledged ones. --ack ID --note TEXT acknowledges one (id or its
    first 6+ characters) across rebuilds, until either statement says something else. Example:

        payerkg conflicts --format md > conflicts.md
    """
    if ack is not None or note is not None:
        return render.acknowledged(err, knowledge.acknowledge(o.acked(ack, "--note"), note or "", db))
    with knowledge.open(db) as k:
        found = k.conflicts(acknowledged=show_all)
    render.conflicts(out, found, rows_default(fmt, out.is_terminal))


@app.command()
@_reports_errors
def diff(
    old: o.Old, new: o.New, fmt: o.DiffFmt = DiffFormat.md,
    out_path: o.OutFile = None, db: o.Db = None, vocab: o.Vocab = None, verbose: o.Verbose = 0,
) -> None:  # fmt: skip
    """What changed in coverage between two versions of a document.

    Added, removed and changed rules (scope, exceptions, inclusions, vendor, requirement,
    conditions, effective date). Renamed vendors and reworded sentences are not changes. Each side
    is a file, or a document id looked up in --db.
    Example:

        payerkg diff bulletin-2023.pdf bulletin-2024.pdf --format html --out changes.html
    """
    logs.configure(verbose)
    d = knowledge.compare(old, new, config=config.BuildConfig.from_env(db=db, vocab=vocab))
    text = render.diff_text(d, fmt.value)
    if out_path:
        out_path.write_text(text, encoding="utf-8")
    else:
        out.out(text, highlight=False, end="")
    render.diff_counts(err, d, out_path)


@app.command()
@_reports_errors
def export(fmt: o.ExportFmt, out_path: o.ExportOut, since: o.Since = None, db: o.Db = None) -> None:
    """Export the rule feed (one record per rule), the change feed (--since), or the knowledge graph.

    --out - writes to stdout; --since 3 (a build) or --since 2026-11-01 (a date) gives the change
    feed: upsert and delete events by stable rule id. Example:

        payerkg export --format csv --out - > rules.csv
    """
    with knowledge.open(db) as k:
        if out_path != "-":
            render.exported(err, k.export(Path(out_path), fmt.value, since))
            return
        with tempfile.TemporaryDirectory(prefix="payerkg-export-") as tmp:
            written = k.export(Path(tmp) / f"export.{fmt.value}", fmt.value, since)
            render.copy_to_stdout(out, written.path)
    render.exported(err, written, to="stdout")


@app.command()
@_reports_errors
def migrate(db: o.Db = None) -> None:
    """Upgrade a database built by an older payerkg to this version's schema, in place.

    One transaction. Commands that only read refuse an older database and say to run this.
    Example:

        payerkg migrate --db payerkg.duckdb
    """
    cfg = config.BuildConfig.from_env(db=db)
    render.migrated(err, cfg.db, knowledge.migrate(config=cfg), knowledge.SCHEMA_VERSION)


@app.command()
@_reports_errors
def report(out_dir: o.SiteOut = None, db: o.Db = None, stale_days: o.StaleDays = None) -> None:
    """A static HTML review site, opened from file://: coverage matrix, quoted documents, conflicts, changes.

    Per payer the vendor × line-of-business matrix, each document with its rules' quotes highlighted
    (stale when its own date is older than --stale-days), conflicts side by side, changes. Example:

        payerkg report --out review/
    """
    render.site_written(err, site.report(out=out_dir, config=config.BuildConfig.from_env(db=db, stale_days=stale_days)))


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point; ``argv`` lets tests call it in-process."""
    status = run(app, argv if argv is not None else sys.argv[1:], err)
    if argv is None:  # the process ends here: its exit need not search every object loaded for cycles
        gc.freeze()  # (about 0.03 s of `who`; connections and files are closed by now, atexit still runs)
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
