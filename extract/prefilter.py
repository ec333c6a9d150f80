"""A literal prefilter for regular expressions: a pattern that cannot match without one of a few
words answers "no match" at once for a text that holds none of them.

Python's ``re`` tries a pattern that starts with ``\\b`` or an alternation of words at every
position of the text, so each of the extractor's cue patterns reads a sentence at a few MB/s, and
a sentence is read by dozens of them: most of extraction's time on a long document goes there,
and most of it finds nothing (a page of text that names no vendor and uses no delegation word).
``required_literals`` works out, from the parsed pattern, a set of strings at least one of which
every match contains (in the manner of RE2's prefilter); ``Prefiltered`` checks them with
``str.__contains__`` (a fast substring search) before it runs the pattern.

The check is exact, never a heuristic: a pattern whose matches need no literal (``\\s*[^.]+``) is
run as it is. Matching is case-blind on both sides, so one set serves ``re.I`` and case-sensitive
patterns alike: the text is lower-cased, and the four non-ASCII letters that ``re.I`` matches to an
ASCII one (``İ ı ſ K``) are mapped to it first.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, Optional, Union

if sys.version_info >= (3, 11):
    from re import _constants as _c
    from re import _parser as _p
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

#: Largest set of exact strings tracked for a piece of a pattern (``(?:a|b)(?:c|d)`` has 4); a larger
#: one stands for itself as a set of alternatives a match must contain one of.
MAX_EXACT = 64
#: Largest character class expanded into its characters (``[sz]``, ``[’']``).
MAX_CLASS = 32
#: Non-ASCII letters that ``re.IGNORECASE`` matches to an ASCII letter (so the text is mapped to it
#: before it is lower-cased; ``tests/test_extract_prefilter.py`` checks the list against ``re``).
CASE_FIXES = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_FIX_TABLE = str.maketrans(CASE_FIXES)
#: Texts shorter than this are searched without the check (measured: a search of a 20-character
#: text costs about as much as the check itself).
SHORT_TEXT = 48

_Exact = Optional[frozenset[str]]


def text_key(text: str) -> str:
    """``text`` as the prefilter compares it: case-blind, one character for one."""
    return (text if text.isascii() else text.translate(_FIX_TABLE)).lower()


def _atom_char(ch: str) -> Optional[str]:
    """How a pattern's literal character stands in ``text_key`` of the texts it matches, when that is
    one character whatever the case flags (ASCII, or a character without case)."""
    if ch.isascii():
        return ch.lower()
    if ch.lower() == ch == ch.upper() and ch not in CASE_FIXES:
        return ch
    return None


class _Info:
    """What a piece of a pattern can match: ``exact``, every string it matches (when few), else
    ``req``, strings one of which each of its matches contains (None: no such set known)."""

    __slots__ = ("exact", "req")

    def __init__(self, exact: _Exact = None, req: _Exact = None):
        self.exact = exact
        self.req = req

    def required(self) -> _Exact:
        if self.exact is not None:
            return None if "" in self.exact else self.exact
        return self.req


_ANY = _Info()
_EMPTY = _Info(frozenset({""}))


def _class(items: list[Any]) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return _ANY  # NEGATE, CATEGORY (\w, \s, \d), a wide range
    atoms = {_atom_char(ch) for ch in chars}
    if None in atoms or len(atoms) > MAX_CLASS:
        return _ANY
    return _Info(frozenset(a for a in atoms if a is not None))


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        a = _atom_char(chr(av))
        return _Info(frozenset({a})) if a is not None else _ANY
    if op is _c.IN:
        return _class(av)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _EMPTY  # zero width: nothing of the text is required by it
    if op is _c.SUBPATTERN:
        return _seq(av[-1])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is _c.BRANCH:
        infos = [_seq(alt) for alt in av[1]]
        if all(i.exact is not None for i in infos):
            union = frozenset().union(*(i.exact for i in infos if i.exact is not None))
            if len(union) <= MAX_EXACT:
                return _Info(union)
        reqs = [i.required() for i in infos]
        if any(r is None for r in reqs):
            return _ANY
        return _Info(req=frozenset().union(*(r for r in reqs if r is not None)))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, body = av
        inner = _seq(body)
        if hi == 0:
            return _EMPTY
        if lo == 0:
            if hi == 1 and inner.exact is not None and len(inner.exact) < MAX_EXACT:
                return _Info(inner.exact | {""})
            return _ANY
        if lo == hi and inner.exact is not None and len(inner.exact) ** lo <= MAX_EXACT:
            out = frozenset({""})
            for _ in range(lo):
                out = frozenset(a + b for a in out for b in inner.exact)
            return _Info(out)
        return _Info(req=inner.required())
    return _ANY  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, CATEGORY, …: nothing known


def _better(a: frozenset[str], b: Optional[frozenset[str]]) -> bool:
    """Is ``a`` the more selective requirement: longer shortest string, then fewer strings?"""
    if b is None:
        return True
    return (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))


def _seq(items: Any) -> _Info:
    best: Optional[frozenset[str]] = None
    run: Optional[frozenset[str]] = frozenset({""})  # exact strings of the run of exact pieces so far
    whole_exact = True

    def offer(req: Optional[frozenset[str]]) -> None:
        nonlocal best
        if req and "" not in req and _better(req, best):
            best = req

    for op, av in items:
        info = _node(op, av)
        if info.exact is not None and run is not None and len(run) * len(info.exact) <= MAX_EXACT:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        whole_exact = False
        offer(run)
        if info.exact is not None:
            run = info.exact  # the run so far grew too large: a new run starts here
        else:
            offer(info.req)
            run = frozenset({""})
    if whole_exact:
        return _Info(run)
    offer(run)
    return _Info(req=best)


def _minimal(strings: frozenset[str]) -> tuple[str, ...]:
    """Drop each string that contains another (the shorter one is found wherever it is)."""
    keep = sorted(strings, key=lambda s: (len(s), s))
    out: list[str] = []
    for s in keep:
        if not any(o in s for o in out):
            out.append(s)
    return tuple(out)


def required_literals(pattern: str, flags: int = 0) -> Optional[tuple[str, ...]]:
    """Strings (in ``text_key`` form) one of which every match of ``pattern`` contains; None when
    the pattern can match without any (an empty match, a pattern of classes like ``\\w+``)."""
    req = _seq(_p.parse(pattern, flags)).required()
    return _minimal(req) if req else None


class Prefiltered:
    """A compiled pattern that answers "no match" without running when the text lacks every one of
    its required literals; otherwise the pattern's own methods and results, unchanged."""

    __slots__ = ("flags", "groupindex", "groups", "literals", "pattern", "regex")

    def __init__(self, regex: re.Pattern[str]):
        self.regex = regex
        self.literals = required_literals(regex.pattern, regex.flags)
        self.pattern = regex.pattern
        self.flags = regex.flags
        self.groups = regex.groups
        self.groupindex = regex.groupindex

    def possible(self, text: str) -> bool:
        """Could the pattern match somewhere in ``text``? (A text shorter than ``SHORT_TEXT`` is
        left to the pattern: there the check costs more than the search.)"""
        if self.literals is None or len(text) < SHORT_TEXT:
            return True
        key = _key(text)
        return any(lit in key for lit in self.literals)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        return self.regex.search(string, pos, endpos) if self.possible(string) else None

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        return self.regex.match(string, pos, endpos) if self.possible(string) else None

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        return self.regex.fullmatch(string, pos, endpos) if self.possible(string) else None

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.regex.finditer(string, pos, endpos) if self.possible(string) else iter(())

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.regex.findall(string, pos, endpos) if self.possible(string) else []

    def sub(self, repl: Union[str, Callable[[re.Match[str]], str]], string: str, count: int = 0) -> str:
        return self.regex.sub(repl, string, count) if self.possible(string) else string

    def subn(self, repl: Union[str, Callable[[re.Match[str]], str]], string: str, count: int = 0) -> tuple[str, int]:
        return self.regex.subn(repl, string, count) if self.possible(string) else (string, 0)

    def split(self, string: str, maxsplit: int = 0) -> list[Any]:
        return self.regex.split(string, maxsplit) if self.possible(string) else [string]

    def __repr__(self) -> str:
        return f"Prefiltered({self.regex!r}, literals={self.literals!r})"


#: The last texts keyed (a sentence is read by dozens of patterns in a row): (text, key) pairs.
_KEYS: list[tuple[str, str]] = []
_KEYS_KEPT = 4


def _key(text: str) -> str:
    for t, k in _KEYS:
        if t is text:
            return k
    k = text_key(text)
    _KEYS.insert(0, (text, k))
    del _KEYS[_KEYS_KEPT:]
    return k


def prefiltered(pattern: str, flags: int = 0) -> Prefiltered:
    """``re.compile(pattern, flags)`` behind its literal prefilter."""
    return Prefiltered(re.compile(pattern, flags))


def prefilter_module(namespace: dict[str, Any]) -> None:
    """Put every compiled pattern bound in a module's namespace behind its prefilter (call it at the
    end of the module, before another imports them); one that needs no literal is left as it is.
    ``Prefiltered`` has the methods of ``re.Pattern`` the extractor calls, with their results."""
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            wrapped = Prefiltered(value)
            if wrapped.literals is not None:
                namespace[name] = wrapped
