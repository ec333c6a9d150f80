"""The site's HTML: jinja2 templates (package data, ``payerkg/templates/report/``) with autoescape on.

Document text is untrusted input: every template autoescapes, and the only ``Markup`` handed to them
comes from ``marks.py``, which escapes each piece of text it wraps. The style sheet and the small
script are inlined, so each page works on its own from ``file://``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import jinja2

from .model import Rule

TEMPLATES = "templates/report"


def _load(name: str) -> str:
    return resources.files("payerkg").joinpath(f"{TEMPLATES}/{name}").read_text(encoding="utf-8")


_env = jinja2.Environment(
    loader=jinja2.FunctionLoader(_load),
    autoescape=True,  # everything, whatever the template's name
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _label(value: Optional[str]) -> str:
    """A closed value for people: ``fully_insured`` → ``fully insured``."""
    return "" if value is None else str(value).replace("_", " ")


def _day(value: Optional[date]) -> str:
    return value.isoformat() if value is not None else ""


def _when(value: Optional[datetime]) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _plural(n: int, word: str, many: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _exceptions(rule: Rule) -> list[str]:
    """Each excepted group, with the vendor that handles it instead when the document names one."""
    instead = dict(rule.alternates)
    return [f"{g} → {instead[g]}" if g in instead else g for g in rule.exceptions]


_env.filters.update(label=_label, day=_day, when=_when, plural=_plural, exceptions=_exceptions)


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def write(path: Path, html: str) -> Path:
    """Write ``html`` to ``path`` whole or not at all (a reader never sees half a page)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path


def remove_stale(out: Path, written: Iterable[Path]) -> None:
    """Remove document pages of an earlier run whose document is no longer active."""
    keep = {p.name for p in written}
    for page in out.glob("doc-*.html"):
        if page.name not in keep:
            page.unlink(missing_ok=True)
