"""The ``payerkg`` command line: parse options, call the library, render, exit.

Each command parses its options into a library call (``payerkg.knowledge``, ``payerkg.pipeline``),
hands the typed result to ``payerkg.render`` and returns. Exit statuses are decided in one place
(``payerkg.exits``: ``exit_code`` for errors, one line each; ``build_status`` below for outcomes).
Data goes to stdout; progress, summaries and errors to stderr.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from ingest import ingest_paths

from .exits import SOME_FAILED, STRICT_FAILED, exit_code, reports_errors, run
from .formats import ConflictFormat, DiffFormat, ExportFormat, ExtractFormat, IngestFormat, RowsFormat
from .lazy import OnFirstUse

if TYPE_CHECKING:
    from . import config, inputs, knowledge, pipeline, render, render_docs
else:  # imported when a command first uses them (payerkg/lazy.py)
    config, inputs, knowledge, pipeline, render, render_docs = (
        OnFirstUse(f"payerkg.{m}") for m in ("config", "inputs", "knowledge", "pipeline", "render", "render_docs")
    )

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="payerkg: who manages prior authorization and care management for whom, with the source sentence.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

# -- exit statuses: the one place (``payerkg.exits``), outcomes here -----------------------------------
__all__ = ["app", "build_status", "exit_code", "main"]
_reports_errors = reports_errors(err)


def build_status(report: pipeline.BuildReport, strict: bool) -> int:
    if report.failures:
        return SOME_FAILED
    failed_checks = report.validation is not None and not report.validation.success
    return STRICT_FAILED if strict and failed_checks else 0


def _logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)


# -- options, written once ----------------------------------------------------------------------------
Paths = Annotated[list[Path], typer.Argument(help="Files or folders (.pdf, .html, .txt, .md).")]
Db = Annotated[Optional[Path], typer.Option("--db", help="DuckDB file (default: $PAYERKG_DB or payerkg.duckdb).")]
Vocab = Annotated[Optional[Path], typer.Option(help="Vocabulary YAML (default: the packaged one, or $PAYERKG_VOCAB).")]
Explain = Annotated[
    bool, typer.Option("--explain", help="Show which text filled each slot of each rule, and what was not understood.")
]
Verbose = Annotated[int, typer.Option("--verbose", "-v", count=True, help="-v for info, -vv for debug logging.")]
MaxBytes = Annotated[Optional[int], typer.Option(help="Largest file to read (default 50 MB or $PAYERKG_MAX_BYTES).")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 3 when a validation expectation fails.")]
Workers = Annotated[
    Optional[int],
    typer.Option("--workers", "-j", min=0, help="Processes that parse and extract (0: one per CPU; default "
                 "$PAYERKG_WORKERS or 1). The database is the same for every value."),
]  # fmt: skip
BuildPaths = Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: seeds/).")]
DocTimeout = Annotated[
    Optional[float],
    typer.Option(min=0, help="Seconds one document may take to parse and extract (default 300; 0: no limit); "
                 "a slower one fails with E140."),
]  # fmt: skip
MaxPages = Annotated[
    Optional[int], typer.Option(min=0, help="Pages a PDF may have (default 2000; 0: no limit); more fail with E141.")
]
MaxMemory = Annotated[
    Optional[str],
    typer.Option(help="Memory (address space) of each worker process, e.g. 2G or 512M (default 2G; 0: no cap); "
                 "a document that needs more fails with E142."),
]  # fmt: skip
Wait = Annotated[
    Optional[float],
    typer.Option(min=0, help="Seconds to wait for a database another process holds (default 60), then exit 2."),
]
Engine = Annotated[Optional[str], typer.Option(help="local (worker processes) or ray (a Ray task a document).")]
RayAddress = Annotated[Optional[str], typer.Option("--ray-address", help="--engine ray's cluster, e.g. ray://head:10001 "
                       "(default: $RAY_ADDRESS, else a local Ray with --workers CPUs).")]  # fmt: skip
AllowFiles = Annotated[
    bool, typer.Option("--allow-files", help="Let the SQL read and write files (COPY, read_csv, ATTACH, extensions).")
]
Sql = Annotated[str, typer.Argument(help="SQL over the tables and views (coverage_rules, vendor_matrix, …).")]
Service = Annotated[str, typer.Option("--service", "-s", help="Service name or synonym from the vocabulary.")]
Payer = Annotated[Optional[str], typer.Option("--payer")]
Lob = Annotated[Optional[str], typer.Option("--line-of-business", "-l")]
SegmentOpt = Annotated[Optional[str], typer.Option(help="fully_insured, self_funded, individual, group, all.")]
Group = Annotated[Optional[str], typer.Option("--group", "-g", help="Employer group name, alias or group number.")]
Old = Annotated[str, typer.Argument(help="The older version: a file, or a document id (or its first 6+ characters).")]
New = Annotated[str, typer.Argument(help="The newer version: a file or a document id.")]
OutFile = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")]
ExportOut = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]
Since = Annotated[
    Optional[str],
    typer.Option(help="jsonl only: the change feed after this build id (e.g. 3) or since this date "
                 "(YYYY-MM-DD): upsert and delete events by stable rule id."),
]  # fmt: skip
IngestFmt = Annotated[
    IngestFormat,
    typer.Option("--format", "-f", help="text: one block a line; json: full records; summary: one line a document."),
]
ExtractFmt = Annotated[
    ExtractFormat,
    typer.Option("--format", "-f", help="jsonl: one coverage_rules record a line; table: for people; summary: counts."),
]
RowsFmt = Annotated[RowsFormat, typer.Option("--format", "-f")]
ConflictFmt = Annotated[ConflictFormat, typer.Option("--format", "-f")]
DiffFmt = Annotated[
    DiffFormat, typer.Option("--format", "-f", help="md for people, html for a browser, json for tools.")
]
ExportFmt = Annotated[
    ExportFormat,
    typer.Option("--format", "-f", help="jsonl/parquet: coverage_rules; graphml/json: the knowledge graph."),
]


@app.command()
@_reports_errors
def ingest(paths: Paths, fmt: IngestFmt = IngestFormat.text, max_bytes: MaxBytes = None, verbose: Verbose = 0) -> None:
    """Parse documents into structured blocks and print them, for debugging a document.

    Example:

        payerkg ingest seeds/000_8f9831b6703bc328.pdf --format text
    """
    _logging(verbose)
    cfg = config.BuildConfig.from_env(max_bytes=max_bytes)
    failures = render_docs.ingest(out, err, ingest_paths(inputs.input_files(paths), cfg.ingest_options()), fmt.value)
    raise typer.Exit(SOME_FAILED if failures else 0)


@app.command()
@_reports_errors
def extract(
    paths: Paths, fmt: ExtractFmt = ExtractFormat.table, vocab: Vocab = None, explain: Explain = False,
    verbose: Verbose = 0,
) -> None:  # fmt: skip
    """Extract vendor × service × line of business × segment statements with their quotes.

    With --explain, each rule is followed by the text that filled each of its slots (the statement
    itself, the section heading, the list line or the program it belongs to, with block and page),
    and each document ends with what it names but yields no rule from.
    Example:

        payerkg extract seeds/001_e5baff2b9bde9ead.pdf --explain
    """
    _logging(verbose)
    cfg = config.BuildConfig.from_env(vocab=vocab)
    failures = render_docs.extractions(out, err, knowledge.extract_all(paths, cfg), fmt.value, explain=explain)
    raise typer.Exit(SOME_FAILED if failures else 0)


@app.command()
@_reports_errors
def build(
    paths: BuildPaths = None, db: Db = None, vocab: Vocab = None, strict: Strict = False, workers: Workers = None,
    doc_timeout: DocTimeout = None, max_pages: MaxPages = None, max_memory: MaxMemory = None, wait: Wait = None,
    engine: Engine = None, ray_address: RayAddress = None, verbose: Verbose = 0,
) -> None:  # fmt: skip
    """Ingest, extract and load documents into DuckDB (one transaction), validate, print a summary.

    Unchanged documents (same sha256) are not parsed again; documents gone from the inputs are
    marked retired. Each document is parsed in a worker process with a time, page and memory limit:
    one that fails is named with its code and the rest loads. great-expectations suites check every
    build (table validation_results and an HTML report next to the database). An older database is
    migrated first; one another process holds is waited for (--wait). Exit status: 0 ok, 1 a file
    failed, 2 the load failed (database unchanged), 3 with --strict an expectation failed.
    Example:

        payerkg build seeds/ --db payerkg.duckdb --strict --doc-timeout 60
    """
    _logging(verbose)
    cfg = config.BuildConfig.from_env(
        db=db, vocab=vocab, workers=workers, doc_timeout=doc_timeout, max_pages=max_pages, max_memory=max_memory,
        wait=wait, engine=engine, ray_address=ray_address,
    )  # fmt: skip
    with render.ProgressBar(err) as bar:
        report = pipeline.build(paths or None, config=cfg, progress=bar, on_wait=lambda m: render.waiting(err, m))
    render.build_summary(err, report)
    raise typer.Exit(build_status(report, strict))


@app.command()
@_reports_errors
def query(sql: Sql, db: Db = None, fmt: RowsFmt = RowsFormat.table, allow_files: AllowFiles = False) -> None:
    """Run SQL against the warehouse (read-only; no file is read or written unless --allow-files).

    Example:

        payerkg query "select vendor, count(*) from coverage_rules group by 1"
    """
    with knowledge.open(db, allow_files=allow_files) as k:
        result = k.rows(sql)
    render.rows(out, fmt.value, result.columns, result.rows)


@app.command()
@_reports_errors
def who(
    service: Service, payer: Payer = None, line_of_business: Lob = None, segment: SegmentOpt = None,
    group: Group = None, db: Db = None, fmt: RowsFmt = RowsFormat.table,
) -> None:  # fmt: skip
    """Which vendor handles a service for a member, with scope, exceptions and the quoted source.

    Example:

        payerkg who --service "<service>" -l "<line of business>" --segment fully_insured --group "<group name or number>"

    The README shows worked examples on the seeds. Exit status 1 when no rule answers.
    """
    with knowledge.open(db) as k:
        answer = k.who(service, payer=payer, line_of_business=line_of_business, segment=segment, group=group)
    render.who(out, err, answer, fmt.value)
    raise typer.Exit(0 if answer.findings else SOME_FAILED)


@app.command()
@_reports_errors
def conflicts(db: Db = None, fmt: ConflictFmt = ConflictFormat.table) -> None:
    """Contradictions across documents of one payer, with both statements (document, page, quote).

    Example:

        payerkg conflicts --format md > conflicts.md
    """
    with knowledge.open(db) as k:
        found = k.conflicts()
    render.conflicts(out, found, fmt.value)


@app.command()
@_reports_errors
def diff(
    old: Old, new: New, fmt: DiffFmt = DiffFormat.md, out_path: OutFile = None, db: Db = None, vocab: Vocab = None
) -> None:
    """What changed in coverage between two versions of a document: added, removed and changed rules
    (scope, exceptions, inclusions, vendor, requirement, conditions, effective date). Renamed vendors
    and reworded sentences are not changes. A document id is looked up in --db. Example:

        payerkg diff bulletin-2023.pdf bulletin-2024.pdf --format html --out changes.html
    """
    d = knowledge.compare(old, new, config=config.BuildConfig.from_env(db=db, vocab=vocab))
    text = render.diff_text(d, fmt.value)
    if out_path:
        out_path.write_text(text, encoding="utf-8")
    else:
        out.out(text, highlight=False, end="")
    render.diff_counts(err, d, out_path)


@app.command()
@_reports_errors
def export(fmt: ExportFmt, out_path: ExportOut, since: Since = None, db: Db = None) -> None:
    """Export the rule feed (one record per rule), the change feed (--since), or the knowledge graph.

    Examples:

        payerkg export --format parquet --out rules.parquet

        payerkg export --format jsonl --since 2026-11-01 --out events.jsonl
    """
    with knowledge.open(db) as k:
        written = k.export(out_path, fmt.value, since)
    render.exported(err, written)


@app.command()
@_reports_errors
def migrate(db: Db = None) -> None:
    """Upgrade a database built by an older payerkg to this version's schema, in place (one
    transaction). Commands that only read refuse an older database and say to run this.

    Example:

        payerkg migrate --db payerkg.duckdb
    """
    cfg = config.BuildConfig.from_env(db=db)
    render.migrated(err, cfg.db, knowledge.migrate(config=cfg), knowledge.SCHEMA_VERSION)


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point; ``argv`` lets tests call it in-process."""
    sys.exit(run(app, argv, err))


if __name__ == "__main__":  # pragma: no cover
    main()
