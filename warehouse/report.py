"""Reports for people from templates: the validation report (HTML) and the diff (markdown, HTML).
Document text is untrusted input: HTML templates autoescape everything."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from .conflicts import Conflict, read_conflicts
from .diff import Diff
from .validate import ValidationReport

_env = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("warehouse").joinpath(f"templates/{name}").read_text(encoding="utf-8")
    ),
    # HTML is escaped (document text is untrusted input); markdown is text for people and tools
    autoescape=lambda name: name is None or ".html" in name,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def format_value(value: Any) -> str:
    """A diff's before/after for people: lists joined, a whole rule as its non-empty fields."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "none"
    if isinstance(value, dict):
        return "; ".join(
            f"{k.replace('_', ' ')} {format_value(v)}" for k, v in value.items() if v not in (None, [], "")
        )
    return str(value)


_env.filters["value"] = format_value
_env.filters["basename"] = lambda path: Path(path).name


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def render_diff(d: Diff, fmt: str) -> str:
    """``d`` as markdown (``md``) or a standalone HTML page (``html``)."""
    return render(
        f"diff.{fmt}.j2",
        d=d,
        counts=d.counts(),
        old_label=d.old_label or d.old,
        new_label=d.new_label or d.new,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def render_conflicts_markdown(conflicts: Sequence[Conflict]) -> str:
    """Every conflict with both statements: source, page, rule and quote of each side."""
    return render("conflicts.md.j2", conflicts=conflicts)


def write_validation_report(
    con: duckdb.DuckDBPyConnection, report: ValidationReport, db: str | Path, out: str | Path
) -> Path:
    pieces = _env.get_template("validation.html.j2").generate(
        report=report,
        db=str(db),
        conflicts=read_conflicts(con),
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:  # written as rendered: a report lists every conflict (MiB)
        f.writelines(pieces)
    tmp.replace(out)
    return out
