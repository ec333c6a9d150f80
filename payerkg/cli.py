"""The ``payerkg`` command line: parse arguments, call a pipeline function, print.

Data goes to stdout; progress, summaries and errors go to stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from ingest import InputError, PayerkgError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="payerkg: who manages prior authorization and care management for whom, with the source sentence.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)


VerboseOpt = typer.Option(0, "--verbose", "-v", count=True, help="-v for info, -vv for debug logging.")


def _choices(name: str, *values: str) -> type[Enum]:
    """A str Enum whose members are ``values`` (what typer needs for a closed set of choices)."""
    return Enum(name, {v: v for v in values}, type=str)


IngestFormat = _choices("IngestFormat", "text", "json", "summary")


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files or folders (.pdf, .html, .txt, .md)."),
    fmt: IngestFormat = typer.Option(IngestFormat.text, "--format", "-f", help="text: one block a line; json: full records; summary: one line a document."),
    max_bytes: Optional[int] = typer.Option(None, help="Largest file to read (default 50 MB or $PAYERKG_MAX_BYTES)."),
    verbose: int = VerboseOpt,
) -> None:
    """Parse documents into structured blocks and print them, for debugging a document.

    Example:

        payerkg ingest seeds/000_8f9831b6703bc328.pdf --format text
    """
    _setup_logging(verbose)
    from .inspect import run_ingest

    failed = run_ingest(paths, fmt.value, max_bytes, out, err)
    raise typer.Exit(1 if failed else 0)


ExtractFormat = _choices("ExtractFormat", "jsonl", "table", "summary")


@app.command()
def extract(
    paths: List[Path] = typer.Argument(..., help="Files or folders (.pdf, .html, .txt, .md)."),
    fmt: ExtractFormat = typer.Option(ExtractFormat.table, "--format", "-f", help="jsonl: one coverage_rules record a line; table: for people; summary: counts."),
    vocab: Optional[Path] = typer.Option(None, help="Vocabulary YAML (default: the packaged one, or $PAYERKG_VOCAB)."),
    verbose: int = VerboseOpt,
) -> None:
    """Extract vendor × service × line of business × segment statements with their quotes.

    Example:

        payerkg extract seeds/001_e5baff2b9bde9ead.pdf --format jsonl
    """
    _setup_logging(verbose)
    from .inspect import run_extract

    failed = run_extract(paths, fmt.value, vocab, out, err)
    raise typer.Exit(1 if failed else 0)


DbOpt = typer.Option(None, "--db", help="DuckDB file (default: $PAYERKG_DB or payerkg.duckdb).")


def _db(db: Optional[Path]) -> Path:
    import os

    from .pipeline import DEFAULT_DB

    return db or Path(os.environ.get("PAYERKG_DB", DEFAULT_DB))


def _open_existing(db: Optional[Path]):
    from warehouse import Warehouse

    path = _db(db)
    if not path.exists():
        err.print(f"[red]error:[/red] {path}: no such database; run `payerkg build` first", highlight=False)
        raise typer.Exit(2)
    return Warehouse(path, read_only=True)


@app.command()
def build(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders (default: seeds/)."),
    db: Optional[Path] = DbOpt,
    vocab: Optional[Path] = typer.Option(None, help="Vocabulary YAML (default: the packaged one, or $PAYERKG_VOCAB)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 when a validation expectation fails."),
    workers: int = typer.Option(int(os.environ.get("PAYERKG_WORKERS", "1")), "--workers", "-j", min=0,
                                help="Processes that parse and extract (0: one per CPU; default $PAYERKG_WORKERS or 1). "
                                     "The database is the same for every value."),
    verbose: int = VerboseOpt,
) -> None:
    """Ingest, extract and load documents into DuckDB (one transaction), validate, print a summary.

    Unchanged documents (same sha256) are not parsed again; documents gone from the inputs are
    marked retired. great-expectations suites check every build (table validation_results and an
    HTML report next to the database). Exit status: 0 ok, 1 a file failed, 2 the load failed
    (database unchanged), 3 with --strict an expectation failed. Example:

        payerkg build seeds/ --db payerkg.duckdb --strict
    """
    _setup_logging(verbose)
    from .commands import run_build

    raise typer.Exit(run_build([str(p) for p in (paths or [Path("seeds")])], _db(db), vocab, err, strict=strict,
                               workers=workers or os.cpu_count() or 1))


QueryFormat = _choices("QueryFormat", "table", "csv", "json")


@app.command()
def query(
    sql: str = typer.Argument(..., help="SQL over the tables and views (coverage_rules, vendor_matrix, …)."),
    db: Optional[Path] = DbOpt,
    fmt: QueryFormat = typer.Option(QueryFormat.table, "--format", "-f"),
) -> None:
    """Run SQL against the warehouse (read-only).

    Example:

        payerkg query "select vendor, count(*) from coverage_rules group by 1"
    """
    import duckdb

    from .output import render

    with _open_existing(db) as wh:
        try:
            cols, rows = wh.query(sql)
        except duckdb.Error as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2)
    render(fmt.value, out, cols, rows)


@app.command()
def who(
    service: str = typer.Option(..., "--service", "-s", help="Service name or synonym from the vocabulary."),
    payer: Optional[str] = typer.Option(None, "--payer"),
    line_of_business: Optional[str] = typer.Option(None, "--line-of-business", "-l"),
    segment: Optional[str] = typer.Option(None, "--segment", help="fully_insured, self_funded, individual, group, all."),
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Employer group name, alias or group number."),
    db: Optional[Path] = DbOpt,
    fmt: QueryFormat = typer.Option(QueryFormat.table, "--format", "-f"),
) -> None:
    """Which vendor handles a service for a member, with scope, exceptions and the quoted source.

    Example:

        payerkg who --service "<service>" -l "<line of business>" --segment fully_insured --group "<group name or number>"

    The README shows worked examples on the seeds.
    """
    from .commands import run_who

    with _open_existing(db) as wh:
        try:
            code = run_who(wh, service, payer, line_of_business, segment, group, fmt.value, out, err)
        except ValueError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2)
    raise typer.Exit(code)


ConflictFormat = _choices("ConflictFormat", "table", "json", "md")


@app.command()
def conflicts(
    db: Optional[Path] = DbOpt,
    fmt: ConflictFormat = typer.Option(ConflictFormat.table, "--format", "-f"),
) -> None:
    """Contradictions across documents of one payer, with both statements (document, page, quote).

    Example:

        payerkg conflicts --format md > conflicts.md
    """
    from .commands import run_conflicts

    with _open_existing(db) as wh:
        run_conflicts(wh, fmt.value, out)


DiffFormat = _choices("DiffFormat", "md", "html", "json")


@app.command()
def diff(
    old: str = typer.Argument(..., help="The older version: a file, or a document id (or its first 6+ characters) in --db."),
    new: str = typer.Argument(..., help="The newer version: a file or a document id."),
    fmt: DiffFormat = typer.Option(DiffFormat.md, "--format", "-f", help="md for people, html for a browser, json for tools."),
    out_path: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    db: Optional[Path] = DbOpt,
    vocab: Optional[Path] = typer.Option(None, help="Vocabulary YAML for files (default: the packaged one)."),
) -> None:
    """What changed in coverage between two versions of a document: added, removed and changed rules
    (scope, exceptions, inclusions, vendor, requirement, conditions, effective date). Renamed vendors
    and reworded sentences are not changes. Example:

        payerkg diff bulletin-2023.pdf bulletin-2024.pdf --format html --out changes.html
    """
    from .commands import run_diff

    try:
        d = run_diff(old, new, fmt.value, _db(db), vocab, out, out_path)
    except PayerkgError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2)
    counts = d.counts()
    err.print(f"{counts['changed']} changed, {counts['removed']} removed, {counts['added']} added"
              + (f" → {out_path}" if out_path else ""), highlight=False)


ExportFormat = _choices("ExportFormat", "jsonl", "parquet", "graphml", "json")


@app.command()
def export(
    fmt: ExportFormat = typer.Option(..., "--format", "-f", help="jsonl/parquet: coverage_rules; graphml/json: the knowledge graph."),
    out_path: Path = typer.Option(..., "--out", "-o", help="File to write."),
    since: Optional[str] = typer.Option(None, help="jsonl only: the change feed after this build id (e.g. 3) or since "
                                                   "this date (YYYY-MM-DD): upsert and delete events by stable rule id."),
    db: Optional[Path] = DbOpt,
) -> None:
    """Export the rule feed (one record per rule), the change feed (--since), or the knowledge graph.

    Examples:

        payerkg export --format parquet --out rules.parquet

        payerkg export --format jsonl --since 2026-11-01 --out events.jsonl
    """
    from .commands import run_events, run_export

    if since is not None and fmt.value != "jsonl":
        err.print("[red]error:[/red] --since needs --format jsonl", highlight=False)
        raise typer.Exit(2)
    with _open_existing(db) as wh:
        try:
            if since is not None:
                n, what = run_events(wh, since, out_path), "events"
            else:
                n = run_export(wh, fmt.value, out_path)
                what = "rules" if fmt.value in ("jsonl", "parquet") else "graph nodes"
        except PayerkgError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2)
    err.print(f"wrote {n} {what} to {out_path}", highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; ``argv`` lets tests call it in-process."""
    try:
        app(args=argv, standalone_mode=True)
    except PayerkgError as e:  # pragma: no cover - commands catch their own
        err.print(f"[red]error:[/red] {e}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
