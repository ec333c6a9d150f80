"""Help for a ``who`` question that found nothing: names nobody knows, close names, where the service is.

A service, payer, line of business or employer group that neither the vocabulary nor any active
rule names is *unknown*; close names from both (``difflib``, on names compared without case,
punctuation or trademark marks) are offered as "did you mean". When no rule matches the member,
the payers, lines of business and segments the service does have rules for are listed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from extract import Vocabulary
from extract.vocabulary import comparison_key

from .connection import Warehouse

#: difflib ratio a name needs to be offered: names equal but for case, hyphens or marks are 1.0 on
#: keys, "comercial ppo" → "commercial ppo" 0.96, a one-letter slip in a ten-letter word 0.9, while
#: unrelated words of similar length stay below ("polysomnography" / "psychotherapy" 0.43)
CUTOFF = 0.6
#: suggestions offered per name
SUGGESTIONS = 3

#: the question's slot → (vocabulary lists of names, the coverage_rules expression naming it)
SLOTS = {
    "service": ("services", "service"),
    "payer": ("payers", "payer"),
    "line_of_business": ("lines_of_business", "line_of_business"),
    "group": ("employer_groups", "unnest(list_concat(exceptions, inclusions))"),
}


@dataclass(frozen=True)
class Coverage:
    """Where a service has rules: one payer's line of business and its segments."""

    payer: str
    line_of_business: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Hints:
    """``unknown``: slot → the name as asked, for names no rule and no vocabulary entry knows;
    ``suggestions``: slot → close known names (most similar first); ``covered_for``: where the
    service has rules, given only when no rule matched the member; ``services``: every service
    with rules, given only when the service is unknown and nothing is close to it."""

    unknown: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    covered_for: list[Coverage] = field(default_factory=list)
    services: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unknown or self.suggestions or self.covered_for or self.services)


def known_names(wh: Warehouse, vocab: Vocabulary, slot: str) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """The names ``who`` matches for ``slot`` as they are (the active rules' and the vocabulary's
    canonical names), and comparison key → (the name as written, the entity it names) for every
    name, aliases included (``who`` resolves them), the rules' names first."""
    attr, expr = SLOTS[slot]
    exact: set[str] = set()
    keys: dict[str, tuple[str, str]] = {}
    for (name,) in wh.query(f"SELECT DISTINCT {expr} AS name FROM coverage_rules ORDER BY name")[1]:
        if name:
            exact.add(name)
            keys.setdefault(comparison_key(name), (name, name))
    for item in getattr(vocab, attr):
        exact.add(item.name)
        for alias in item.all_names():
            keys.setdefault(comparison_key(alias), (alias, item.name))
    return exact, keys


def close_names(term: str, names: Mapping[str, tuple[str, str]]) -> list[str]:
    """Names whose keys are close to ``term``'s, most similar first, one per entity (its closest name)."""
    found = difflib.get_close_matches(comparison_key(term), list(names), n=SUGGESTIONS * 4, cutoff=CUTOFF)
    best: dict[str, str] = {}
    for k in found:
        written, entity = names[k]
        best.setdefault(entity, written)
    return list(best.values())[:SUGGESTIONS]


def hints(
    wh: Warehouse, vocab: Vocabulary, asked: Mapping[str, Any], resolved: Mapping[str, Any], found: bool
) -> Hints:
    """Hints for a question (``asked``: slot → name as given; ``resolved``: what ``who.resolve`` made of
    them) that found rules (``found``) or not."""
    out = Hints()
    for slot in SLOTS:
        term = resolved.get(slot)
        if not term:
            continue
        if term in {item.name for item in getattr(vocab, SLOTS[slot][0])}:
            continue  # a name of the vocabulary's: known, without asking the rules (a query each)
        exact, names = known_names(wh, vocab, slot)
        if term in exact:
            continue
        close = close_names(str(asked.get(slot) or term), names)
        if slot == "group" and not close:
            continue  # a group no rule names is no exception to any: the answer stands as it is
        out.unknown[slot] = str(asked.get(slot) or term)
        if close:
            out.suggestions[slot] = close
    if found:
        return out
    out.covered_for.extend(coverage(wh, resolved.get("services") or [], resolved.get("payer")))
    if not out.covered_for and "service" in out.unknown and "service" not in out.suggestions:
        out.services.extend(r[0] for r in wh.query("SELECT DISTINCT service FROM coverage_rules ORDER BY 1")[1])
    return out


def coverage(wh: Warehouse, services: Iterable[str], payer: str | None) -> list[Coverage]:
    """Each payer's lines of business and segments with rules for ``services`` (of ``payer`` when it
    has any, else of every payer)."""
    sql = """SELECT payer, line_of_business, list(DISTINCT segment ORDER BY segment)
             FROM coverage_rules WHERE service IN (SELECT unnest(?::VARCHAR[])) AND scope <> 'none'
               AND requirement <> 'not_required' {} GROUP BY ALL ORDER BY ALL"""
    params: list[Any] = [list(services)]
    rows = wh.query(sql.format("AND payer = ?"), [*params, payer])[1] if payer else []
    if not rows:
        rows = wh.query(sql.format(""), params)[1]
    return [Coverage(p, lob, tuple(segs)) for p, lob, segs in rows]
