"""The CLI's options and arguments, each written once and shared by the commands that take it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__, formats
from .formats import ConflictFormat, DiffFormat, ExportFormat, ExtractFormat, IngestFormat, RowsFormat


def misread_verbosity(args: Sequence[str]) -> Optional[str]:
    """What is wrong with ``-v 2`` in ``args``, if it is there: ``-v`` counts (``-vv``) and takes no
    number, so the number would be read as a path (unless a file of that name exists)."""
    for flag, value in itertools.pairwise(args):
        if re.fullmatch(r"-v+|--verbose", flag) and value.isdigit() and not Path(value).exists():
            return f"`{flag} {value}`: -v takes no number; repeat it for more detail (-vv, -vvv)"
    return None


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"payerkg {__version__}")
        raise typer.Exit()


Version = Annotated[
    bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
]
Paths = Annotated[list[Path], typer.Argument(help="Files or folders (.pdf, .html, .txt, .md).")]
BuildPaths = Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: seeds/).")]
Db = Annotated[Optional[Path], typer.Option("--db", help="DuckDB file (default: $PAYERKG_DB or payerkg.duckdb).")]
Vocab = Annotated[Optional[Path], typer.Option(help="Vocabulary YAML (default: the packaged one, or $PAYERKG_VOCAB).")]
Explain = Annotated[
    bool, typer.Option("--explain", help="Show which text filled each slot of each rule, and what was not understood.")
]
Verbose = Annotated[
    int,
    typer.Option("--verbose", "-v", count=True, help="-v: payerkg's decisions per document (a build "
                 "appends the libraries' warnings to its log file, DB.log); -vv: every rule's pattern and every "
                 "skipped sentence; -vvv: the libraries underneath too, on screen."),
]  # fmt: skip
MaxBytes = Annotated[Optional[int], typer.Option(help="Largest file to read (default 50 MB or $PAYERKG_MAX_BYTES).")]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="Exit 3 when an expectation fails or a document is flagged (no rules, no payer, "
                 "sentences not understood)."),
]  # fmt: skip
Prune = Annotated[
    bool,
    typer.Option("--prune", help="Retire documents gone from the inputs even when that is more than half of "
                 "the active ones under them (otherwise the build refuses)."),
]  # fmt: skip
Workers = Annotated[
    Optional[int],
    typer.Option("--workers", "-j", min=0, help="Processes that parse and extract (0: one per CPU; default "
                 "$PAYERKG_WORKERS or 1). The database is the same for every value."),
]  # fmt: skip
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
Engine = Annotated[Optional[str], typer.Option(help="local (worker processes, default) or ray (a Ray task a document; "
                                              "pip install 'payerkg\\[ray]'). The database is the same for both.")]  # fmt: skip
RayAddress = Annotated[Optional[str], typer.Option("--ray-address", help="--engine ray's cluster, e.g. ray://head:10001 "
                       "or auto (default: $RAY_ADDRESS, else a local Ray with --workers CPUs).")]  # fmt: skip
AllowFiles = Annotated[
    bool, typer.Option("--allow-files", help="Let the SQL read and write files (COPY, read_csv, ATTACH, extensions).")
]
Sql = Annotated[str, typer.Argument(help="SQL over the tables and views (coverage_rules, vendor_matrix, …).")]
Service = Annotated[
    str, typer.Option("--service", "-s", help="Service name or synonym from the vocabulary or the rules.")
]
Payer = Annotated[Optional[str], typer.Option("--payer", "-p", help="Health plan name or alias.")]
Lob = Annotated[Optional[str], typer.Option("--line-of-business", "-l", help="Line of business, as the rules name it.")]
SegmentOpt = Annotated[Optional[str], typer.Option(help="fully_insured, self_funded, individual, group, all.")]
Group = Annotated[Optional[str], typer.Option("--group", "-g", help="Employer group name, alias or group number.")]
Old = Annotated[str, typer.Argument(help="The older version: a file, or a document id (or its first 6+ characters).")]
New = Annotated[str, typer.Argument(help="The newer version: a file or a document id.")]
OutFile = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")]
ExportOut = Annotated[str, typer.Option("--out", "-o", help="File to write; - for stdout.")]
Since = Annotated[
    Optional[str],
    typer.Option(help="jsonl only: the change feed after this build id (e.g. 3) or since this date "
                 "(YYYY-MM-DD): upsert and delete events by stable rule id."),
]  # fmt: skip

IngestFmt = Annotated[
    IngestFormat,
    formats.option("text: one block a line; json: full records; summary: one row a document.", default_is_tty=False),
]
ExtractFmt = Annotated[
    Optional[ExtractFormat],
    formats.option("table: for people, each rule's quote under it; tsv/csv/json/jsonl: coverage_rules records; "
                   "summary: counts only."),
]  # fmt: skip
RowsFmt = Annotated[Optional[RowsFormat], formats.option("How to print the rows.")]
ConflictFmt = Annotated[Optional[ConflictFormat], formats.option("md: a review document with both quotes.")]
DiffFmt = Annotated[
    DiffFormat, formats.option("md for people, html for a browser, json for tools.", default_is_tty=False)
]
ExportFmt = Annotated[
    ExportFormat,
    formats.option("jsonl/csv/parquet: coverage_rules; graphml/json: the knowledge graph.", default_is_tty=False),
]
SiteOut = Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the site (default: <db>.report/).")]
StaleDays = Annotated[
    Optional[int],
    typer.Option("--stale-days", min=1, help="Mark documents whose own date is older than this many days (default "
                 "$PAYERKG_STALE_DAYS or 365)."),
]  # fmt: skip
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Who handled it on this day (YYYY-MM-DD).")]
Ack = Annotated[Optional[str], typer.Option("--ack", help="Acknowledge this conflict (id, or its first 6+ chars).")]
Note = Annotated[Optional[str], typer.Option("--note", help="With --ack: why the conflict is acknowledged.")]
ShowAll = Annotated[bool, typer.Option("--all", help="Show acknowledged conflicts too (with their notes).")]


def acked(ack: Optional[str], given: str) -> str:
    """The conflict id of --ack; ``given`` (an option that only goes with --ack) without it is a usage error."""
    if ack is None:
        raise typer.BadParameter("goes with --ack ID: the conflict to acknowledge", param_hint=given)
    return ack
