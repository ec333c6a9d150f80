"""Exit statuses and errors of the command line: the one place an error becomes a status and a line.

Every error ends a command with one line on stderr and a status, never a traceback: payerkg's own
errors (``PayerkgError``: bad input, a missing, too old, too new or busy database, failed SQL, a
load rolled back or refused, a bad argument), usage errors (an unknown option, a bad value), file system
errors, and — named as an internal error, the traceback in the debug log (``-vv``) — anything else.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional, TypeVar

import typer
from rich.console import Console

from ingest import PayerkgError

from .lazy import OnFirstUse

try:  # typer ≥ 0.2x carries its own copy of click, whose exceptions it raises
    from typer._click import exceptions as click
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click  # type: ignore[no-redef]

if TYPE_CHECKING:
    from . import render
else:
    render = OnFirstUse("payerkg.render")

#: errors → status (the first kind that matches)
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (PayerkgError, 2),
    (click.ClickException, 2),
    (OSError, 2),
    (Exception, 2),
)
SOME_FAILED = 1  # ingest, extract, build: a file failed (the others were done); who: no finding
STRICT_FAILED = 3  # build --strict: an expectation failed or a document was flagged (the build is committed)
INTERRUPTED = 130  # Ctrl-C

_NO_ARGS: Any = getattr(click, "NoArgsIsHelpError", ())
F = TypeVar("F", bound=Callable[..., Any])
_log = logging.getLogger("payerkg.cli")


def exit_code(e: BaseException) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(e, kind))


def reports_errors(err: Console) -> Callable[[F], F]:
    """A command decorator: any error becomes one line on ``err`` and its exit status."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except (typer.Exit, typer.Abort, click.ClickException):
                raise
            except Exception as e:
                if not isinstance(e, PayerkgError):
                    _log.debug("payerkg %s failed", fn.__name__, exc_info=True)
                render.error(err, e)
                raise typer.Exit(exit_code(e)) from None

        return wrapper  # type: ignore[return-value]

    return decorate


def run(app: typer.Typer, argv: Optional[list[str]], err: Console) -> int:
    """Run the CLI and return its exit status; a usage error is one line (with where to get help)."""
    try:
        status = app(args=argv, prog_name="payerkg", standalone_mode=False)
    except _NO_ARGS:  # `payerkg` alone: typer has printed the help
        return 2
    except click.ClickException as e:
        ctx = getattr(e, "ctx", None)
        command = f"payerkg {ctx.info_name}" if ctx is not None and ctx.parent is not None else "payerkg"
        render.error(err, f"{e.format_message()} (see {command} --help)")
        return exit_code(e)
    except typer.Abort:
        return INTERRUPTED
    return status if isinstance(status, int) else 0
