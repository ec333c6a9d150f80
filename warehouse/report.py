"""HTML reports for people (validation now; the diff later). Document text is untrusted input:
templates autoescape everything."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import jinja2

from .validate import ValidationReport

_env = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("warehouse").joinpath("templates", name).read_text(encoding="utf-8")),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> str:
    return _env.get_template(template).render(**context)


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
