"""Text helpers that keep positions: normalisation with an offset map, sentences, dates.

Quotes are always cut from the original text, so everything here that changes text also says
where each character came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import chain
from typing import Optional

from ingest.assemble import split_points

from .prefilter import prefilter_module

#: Trademark marks and footnote markers: dropped for matching ("BlueSM", "Zephyr®", "Yes*").
MARK_CHARS = "®™℠©*†‡§‖¶¹²³⁴⁵⁶⁷⁸⁹⁰"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
FOOTNOTE_SYMBOLS = "*†‡§‖¶#"
_SM_RE = re.compile(r"(?<=[a-z])SM\b")
DASHES = "—–"


@dataclass(frozen=True)
class Normalized:
    """``text`` with marks dropped and runs of space collapsed; ``origin[i]`` is the index in the
    original string of ``text[i]`` (and ``origin[len(text)]`` the original length)."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of ``text[start:end]``."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def normalize_map(raw: str) -> Normalized:
    """``Normalized`` of ``raw``: a step per run of characters kept (a word), not per character."""
    if _SM_RE.search(raw):
        return _normalize_map_chars(raw)  # "BlueSM": rare, read character by character
    if not _MARKS_RE.search(raw):
        # words and the spaces between them: word i is raw[a:b], its space (if a word follows) raw[b]
        spans = [m.span() for m in _KEPT_RUN_RE.finditer(raw)]
        at = list(chain.from_iterable(range(a, b + 1) for a, b in spans)) or [0]
        at[-1] = len(raw)
        return Normalized(" ".join(raw[a:b] for a, b in spans), tuple(at))
    chars: list[str] = []
    origin: list[int] = []
    prev = 0  # where the last run kept ends
    for m in _KEPT_RUN_RE.finditer(raw):
        a, b = m.span()
        if chars and a > prev:
            space = _SPACE_CHAR_RE.search(raw, prev, a)  # what lies between is marks and spaces
            if space:
                chars.append(" ")
                origin.append(space.start())
        chars.append(m.group())
        origin.extend(range(a, b))
        prev = b
    origin.append(len(raw))
    return Normalized("".join(chars), tuple(origin))


def _normalize_map_chars(raw: str) -> Normalized:
    drop: set[int] = set()
    for m in _SM_RE.finditer(raw):
        drop.update(range(m.start(), m.end()))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(raw):
        if i in drop or ch in MARK_CHARS:
            continue
        if ch.isspace() or ch == "\u00a0":
            if not chars or chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        origin.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    origin.append(len(raw))
    return Normalized("".join(chars), tuple(origin))


#: A run of characters ``normalize_map`` keeps as they are (no space, no mark), and one space.
_KEPT_RUN_RE = re.compile(f"[^\\s\u00a0{re.escape(MARK_CHARS)}]+")
_SPACE_CHAR_RE = re.compile("[\\s\u00a0]")
_MARKS_RE = re.compile(f"[{re.escape(MARK_CHARS)}]")
_SPACE_RE = re.compile(r"\s+")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")
#: Distinct strings remembered by ``normalize`` and ``fold`` (a document repeats its phrases often).
TEXT_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def normalize(raw: str) -> str:
    """``normalize_map(raw).text`` without the offset map (the same text, computed by regex)."""
    return _SPACE_RE.sub(" ", _MARKS_RE.sub("", _SM_RE.sub("", raw))).strip(" ")


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def fold(text: str) -> str:
    """Lower case, marks and punctuation gone, single spaces: a comparison key."""
    return _NOT_WORD_RE.sub(" ", normalize(text).lower().replace("&", " and ")).strip()


class PrefixMatches:
    """The matches of ``pattern`` in ``text[:end]``, for many ``end`` in one text, from one scan of
    the text (a name is looked for where each of a sentence's verbs starts: scanning the sentence up
    to each one cost its length times its verbs).

    For a pattern without anchors, lookaround or word boundaries, the scan of ``text[:end]`` finds
    the matches of ``text`` that end by ``end`` up to the first that crosses ``end`` (a failed try
    fails on the prefix too), then, from that one's start, what a scan of the prefix finds there."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._scan: tuple[str, list[re.Match[str]], list[int]] = ("", [], [])

    def _matches(self, text: str) -> tuple[list[re.Match[str]], list[int]]:
        scan = self._scan  # one read: another thread may replace it
        if scan[0] is not text:
            found = list(self.pattern.finditer(text))
            scan = (text, found, [m.end() for m in found])
            self._scan = scan
        return scan[1], scan[2]

    def reversed_before(self, text: str, end: int) -> Iterator[re.Match[str]]:
        """The matches of ``text[:end]``, last first."""
        found, ends = self._matches(text)
        k = bisect_right(ends, end)  # found[:k] end by ``end``
        if k < len(found) and found[k].start() < end:
            yield from reversed(list(self.pattern.finditer(text, found[k].start(), end)))
        for i in range(k - 1, -1, -1):
            yield found[i]

    def last_before(self, text: str, end: int) -> Optional[re.Match[str]]:
        """The last match of ``text[:end]``."""
        return next(self.reversed_before(text, end), None)


# -- sentences ---------------------------------------------------------------------------------------
#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "co",
    "corp",
    "ltd",
    "llc",
    "no",
    "vs",
    "e.g",
    "i.e",
    "dr",
    "st",
    "mr",
    "mrs",
    "ms",
    "u.s",
    "a.m",
    "p.m",
    "incl",
    "approx",
    "dept",
    "etc",
    "jr",
    "sr",
}
#: Longest sentence read as one (the longest in the seeds and the devset has 1,613 characters). A
#: sentence is read against each vocabulary mention in it, so a run-on text of megabytes with no
#: sentence end (a page of one lower-case sentence repeated) would cost time growing with its square.
MAX_SENTENCE_CHARS = 3_000
_SENT_END_RE = re.compile(r"[.!?](?:[\"'”’)]*)(?=\s+[\"'“‘(]?[A-Z0-9¹²³⁴⁵*†‡§])|;(?=\s+\S)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; each is a verbatim substring. A
    semicolon ends a clause, which is read as a sentence of its own. A run-on "sentence" longer
    than ``MAX_SENTENCE_CHARS`` is read in pieces of at most that length."""
    out = _sentences(text)
    if all(e - a <= MAX_SENTENCE_CHARS for a, e in out):
        return out
    pieces: list[tuple[int, int]] = []
    for a, e in out:
        if e - a <= MAX_SENTENCE_CHARS:
            pieces.append((a, e))
        else:
            pieces += [_trim(text, a + x, a + y) for x, y in split_points(text[a:e], MAX_SENTENCE_CHARS) if x < y]
    return pieces


def _sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        word = re.search(r"([A-Za-z.]+)\.$", text[max(0, m.start() - 12) : m.start() + 1])
        if text[m.start()] == "." and word and word.group(1).lower().rstrip(".") in ABBREVIATIONS:
            continue
        if text[m.start()] == "." and re.search(r"\b[A-Z]\.$", text[max(0, m.start() - 2) : m.start() + 1]):
            continue  # an initial: "J. Smith", "U.S."
        end = m.end()
        if text[start:end].strip():
            out.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        out.append(_trim(text, start, len(text)))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# -- dates -------------------------------------------------------------------------------------------
MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_RE = re.compile(
    rf"\b(?:(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
    rf"|(?P<m2>\d{{1,2}})/(?P<d2>\d{{1,2}})/(?P<y2>\d{{2,4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))\b",
    re.IGNORECASE,
)
#: "January 2026": a month and a year, no day (a document's own date, never an effective date).
MONTH_YEAR_RE = re.compile(rf"\b(?P<mon>{_MONTH})\s+(?P<year>\d{{4}})\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    value: date
    start: int
    end: int


def dates_in(text: str) -> list[DateMention]:
    out = []
    for m in DATE_RE.finditer(text):
        try:
            if m.group("mon"):
                d = date(int(m.group("year")), MONTHS[m.group("mon")[:3].lower()], int(m.group("day")))
            elif m.group("m2"):
                y = int(m.group("y2"))
                d = date(y + 2000 if y < 100 else y, int(m.group("m2")), int(m.group("d2")))
            else:
                d = date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        except (ValueError, KeyError):
            continue
        out.append(DateMention(d, m.start(), m.end()))
    return out


def month_year(text: str) -> Optional[date]:
    m = MONTH_YEAR_RE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group("year")), MONTHS[m.group("mon")[:3].lower()], 1)
    except (ValueError, KeyError):
        return None


def day_after(d: date) -> date:
    return d + timedelta(days=1)


def iter_words(text: str) -> Iterator[tuple[str, int, int]]:
    for m in re.finditer(r"[A-Za-z0-9][\w'’./&-]*", text):
        yield m.group(0), m.start(), m.end()


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
