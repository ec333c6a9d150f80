"""HTML reports for people (validation now; the diff later). Document text is untrusted input:
templates autoescape everything."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import jinja2

from .diff import Diff
from .validate import ValidationReport

_env = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("warehouse").joinpath("templates", name).read_text(encoding="utf-8")),
    # HTML is escaped (document text is untrusted input); markdown is text for people and tools
    autoescape=lambda name: name is None or ".html" in name,
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def format_value(value) -> str:
    """A diff's before/after for people: lists joined, a whole rule as its non-empty fields."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} {format_value(v)}" for k, v in value.items() if v not in (None, [], ""))
    return str(value)


_env.filters["value"] = format_value


def render(template: str, **context) -> str:
    return _env.get_template(template).render(**context)


def render_diff(d: Diff, fmt: str, old_label: str, new_label: str) -> str:
    """``d`` as markdown (``md``) or a standalone HTML page (``html``)."""
    return render(f"diff.{fmt}.j2", d=d, counts=d.counts(), old_label=old_label, new_label=new_label,
                  generated=datetime.now().strftime("%Y-%m-%d %H:%M"))


def conflict_details(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cur = con.execute("SELECT * FROM conflict_details")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def write_validation_report(con: duckdb.DuckDBPyConnection, report: ValidationReport, db: str | Path,
                            out: str | Path) -> Path:
    html = render("validation.html.j2", report=report, db=str(db), conflicts=conflict_details(con),
                  generated=datetime.now().strftime("%Y-%m-%d %H:%M"))
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
