"""A document's own date (``documents.published_on``): when it says it was posted, updated or issued.

Pure functions over the text a reader sees first and last. Two kinds of evidence, in this order:

1. a **cued date** — a date right after "Posted", "Updated", "Last updated", "Revised", "Reviewed",
   "Published", "Issued" or an e-mail's "Date:", where a sentence, a line or a run of furniture
   begins ("Posted February 8, 2017 · Updated April 13, 2017", "Page last updated: November 1, 2024",
   "Preauthorization list | Revised January 2025"). With several, the latest wins: a page posted
   once and updated since is as new as its update;
2. else a **dateline** — a block or furniture line that is a date ("October 3, 2026", "January 2026"),
   starts with one ("Feb. 14, 2025 (replaces …)"), or ends with one after a separator or before
   "issue"/"edition" ("Provider bulletin · May 2025", "September 2023 issue"). The first one wins.

Dates inside sentences ("Effective January 1, 2027, …", "authorizations issued before …") are the
rules' dates, not the document's, and are never read. A month without a day is its first day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Optional

from ingest import BlockKind, Document

#: blocks read from the start: a title, a dateline or byline and a subtitle come first, and a slide
#: deck's cover slide is a few blocks long
FIRST_BLOCKS = 6
#: blocks read from the end, where "Last updated …" notes sit
LAST_BLOCKS = 4
#: years a payer document can carry (the ``effective_date`` expectation uses the same floor)
YEARS = range(1990, 2101)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATE = (
    _WEEKDAY + r"(?:"
    rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"  # April 13, 2017
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})"  # 10 Feb 2025
    r"|(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>\d{4}|\d{2})(?!\d)"  # 3/1/2024
    r"|(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})"  # 2024-03-01
    rf"|(?P<m5>{_MONTH})\s+(?P<y5>\d{{4}})"  # January 2026
    r")(?![\d/])"
)
#: where a cue may stand: the start of the text, of a sentence, or after a separator
_START = r"(?:^|(?<=[.!?])\s+|[|·•—–(]\s*|\s-\s+)"
_CUE = re.compile(
    _START + r"(?:(?:this\s+)?(?:web\s+)?page\s+(?:was\s+)?)?(?:last\s+)?"
    r"(?:updated|revised|reviewed|posted|published|issued|date)(?:\s+on)?\s*:?\s*" + _DATE,
    re.I,
)
_ALONE = re.compile(r"^\s*" + _DATE + r"\s*\.?\s*$", re.I)
_OPENS = re.compile(r"^\s*" + _DATE + r"\s*(?:[(|·•—–]|-\s)", re.I)
_AFTER_SEPARATOR = re.compile(r"(?:[|·•—–]|\s-)\s*" + _DATE + r"\s*\.?\s*$", re.I)
_BEFORE_ISSUE = re.compile(r"\s" + _DATE + r"\s+(?:issue|edition)\s*\.?\s*$", re.I)
#: a line longer than this is a paragraph, not a dateline
MAX_DATELINE = 200


def _date(m: re.Match[str]) -> Optional[date]:
    g = m.groupdict()
    for n in "12345":
        if g.get(f"y{n}"):
            year, month, day = g[f"y{n}"], g[f"m{n}"], g.get(f"d{n}") or "1"
            break
    else:  # pragma: no cover - the pattern always fills one alternative
        return None
    y = int(year) + (2000 if len(year) == 2 else 0)
    mo = int(month) if month.isdigit() else _MONTHS[month.lower()[:3]]
    try:
        found = date(y, mo, int(day))
    except ValueError:
        return None
    return found if found.year in YEARS else None


def cued_dates(texts: Iterable[str]) -> list[date]:
    """Every date that follows a publishing cue ("Updated …", "Posted …") in ``texts``."""
    return [d for t in texts for m in _CUE.finditer(t) if (d := _date(m)) is not None]


def dateline(text: str) -> Optional[date]:
    """The date of a line that is a date, opens with one, or closes with one after a separator."""
    if len(text) > MAX_DATELINE:
        return None
    for found in (_ALONE.match(text), _OPENS.match(text), _AFTER_SEPARATOR.search(text), _BEFORE_ISSUE.search(text)):
        if found and (d := _date(found)) is not None:
            return d
    return None


def published_from(first: Sequence[str], last: Sequence[str] = (), furniture: Sequence[str] = ()) -> Optional[date]:
    """The document's date from its first blocks, last blocks and furniture (see the module's doc)."""
    cued = cued_dates([*first, *last, *furniture])
    if cued:
        return max(cued)
    for text in (*first, *furniture):
        if (d := dateline(text)) is not None:
            return d
    return None


def published_from_blocks(texts: Sequence[str], furniture: Sequence[str] = ()) -> Optional[date]:
    """``published_from`` over a document's block texts in reading order (tables left out: their
    dates are the rules'), read ``FIRST_BLOCKS`` from the start and ``LAST_BLOCKS`` from the end."""
    return published_from(texts[:FIRST_BLOCKS], texts[FIRST_BLOCKS:][-LAST_BLOCKS:], furniture)


def published_on(doc: Document) -> Optional[date]:
    """A parsed document's date: its blocks and its furniture (running headers and footers, a web
    page's title, an e-mail's headers)."""
    return published_from_blocks([b.text for b in doc.blocks if b.kind is not BlockKind.TABLE], doc.furniture)
