"""The ``payerkg`` command line: parse arguments, call a pipeline function, print.

Data goes to stdout; progress, summaries and errors go to stderr.
"""

from __future__ import annotations

import logging
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


class IngestFormat(str, Enum):
    text = "text"
    json = "json"
    summary = "summary"


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


class ExtractFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"
    summary = "summary"


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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; ``argv`` lets tests call it in-process."""
    try:
        app(args=argv, standalone_mode=True)
    except PayerkgError as e:  # pragma: no cover - commands catch their own
        err.print(f"[red]error:[/red] {e}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
