"""Values from DuckDB as JSON and as one line of text: what every export and every printed row uses.

Only the standard library, so printing rows (``payerkg query``, ``payerkg who``) does not load the
exporters (``warehouse.export``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def jsonable(v: Any) -> Any:
    """A value from DuckDB as JSON takes it (dates as ISO text, structs as objects)."""
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return v


def text_cell(v: Any) -> str:
    """A value as one line of text, for CSV and TSV: lists joined by "; ", structs as JSON, dates as
    ISO text, None empty, tabs and line breaks as spaces."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        text = "; ".join(map(text_cell, v))
    elif isinstance(v, dict):
        text = json.dumps(jsonable(v), ensure_ascii=False)
    else:
        text = str(jsonable(v))
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "\r" in text) else text
