"""Semantic diff between two versions of a document, and rule ids that survive versions.

A diff compares *claims*, not sentences. A claim is what a statement says about coverage: payer,
vendor, service, line of business and segment, and the compared fields below, each normalised so
that wording does not count:

==============  ===========================================================================
field           compared as
==============  ===========================================================================
scope           breadth: ``all`` (all, or most with exceptions), ``most``, ``subset`` (select,
                some, only) or ``none`` — "Most groups — Exception: X" is "All groups — Exception: X"
exceptions      group names without case, punctuation or trademark marks, as a set
inclusions      the same
requirement     the value
conditions      the text without case, punctuation or marks
effective_from  the date
==============  ===========================================================================

Vendors are canonical already (extraction resolves aliases and renames), so a renamed vendor is the
same vendor, and quotes are never compared, so a reworded sentence with the same meaning is no
change. Statements that make the same claim twice in one version are one claim.

Claims are matched in two rounds. First by payer, vendor, service, line of business and segment:
within such a group the pairs that differ least go together. What is left is then matched without
the vendor (payer, service, line, segment), which reports a change of vendor. Anything still left
is ``removed`` (old) or ``added`` (new). The matching also carries **stable ids**: a claim of the
new version inherits the id of the old claim it was matched with, so downstream rule stores can
upsert and delete by id across versions.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Optional

from extract import Scope, Statement
from extract.vocabulary import comparison_key

COMPARED = ("scope", "exceptions", "inclusions", "requirement", "conditions", "effective_from")
#: contract field order of one change in ``diff --format json`` (docs/architecture.md)
CHANGE_FIELDS = (
    "change",
    "vendor",
    "service",
    "line_of_business",
    "segment",
    "field",
    "before",
    "after",
    "quote_before",
    "quote_after",
)


def breadth(s: Statement) -> str:
    """How much of the segment the rule covers: all (or most but named exceptions), most, subset or
    none. The ``pk_breadth`` SQL macro of the conflicts view is the same (tests/test_contract.py)."""
    if s.scope == Scope.NONE:
        return "none"
    if s.scope == Scope.ALL or (s.scope == Scope.MOST and s.exceptions):
        return "all"
    if s.scope == Scope.MOST:
        return "most"
    return "subset"


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({k for k in (comparison_key(n) for n in names) if k}))


def meaning(s: Statement, name: str) -> Any:
    """The comparable value of field ``name``: what it means, not how it is worded."""
    if name == "scope":
        return breadth(s)
    if name in ("exceptions", "inclusions"):
        return _names(getattr(s, name))
    if name == "requirement":
        return s.requirement.value
    if name == "conditions":
        return comparison_key(s.conditions or "")
    if name == "effective_from":
        return s.effective_from
    raise KeyError(name)


def shown(s: Statement, name: str) -> Any:
    """Field ``name`` as the document states it (JSON-ready), for ``before`` and ``after``."""
    value = getattr(s, name)
    if name in ("exceptions", "inclusions"):
        return list(value)
    if name == "effective_from":
        return value.isoformat() if value else None
    if hasattr(value, "value"):
        return value.value
    return value


def summary(s: Statement) -> dict:
    """A whole claim, for ``before`` of a removed rule and ``after`` of an added one."""
    return {name: shown(s, name) for name in COMPARED}


def _group_key(s: Statement, with_vendor: bool) -> tuple:
    base = (s.payer, s.service, s.line_of_business, s.segment.value)
    return (*base, s.vendor) if with_vendor else base


def claim_key(s: Statement) -> tuple:
    """Statements with equal claim keys say the same thing."""
    return (*_group_key(s, True), s.program_type.value, *(meaning(s, f) for f in COMPARED))


def claims(statements: Iterable[Statement]) -> dict[tuple, list[Statement]]:
    """Claim key → its statements, in document order (the first one represents the claim)."""
    out: dict[tuple, list[Statement]] = {}
    for s in sorted(statements, key=lambda s: (s.page, s.block_index, s.rule_id)):
        out.setdefault(claim_key(s), []).append(s)
    return out


def differing(a: Statement, b: Statement) -> list[str]:
    """Fields whose meaning changed; a scope stated alike is unchanged even if exceptions moved its breadth."""
    fields = [f for f in COMPARED if meaning(a, f) != meaning(b, f) and not (f == "scope" and a.scope == b.scope)]
    return (["vendor"] if a.vendor != b.vendor else []) + fields


def _pair_cost(a: Statement, b: Statement) -> tuple:
    similarity = SequenceMatcher(None, a.quote, b.quote, autojunk=False).ratio()
    return len(differing(a, b)), a.program_type != b.program_type, -similarity


def match(
    old: Sequence[Statement], new: Sequence[Statement]
) -> tuple[list[tuple[Statement, Statement]], list[Statement], list[Statement]]:
    """Pairs (old, new) of the claims' representatives, then the old left unmatched, the new left unmatched."""
    left_old = [v[0] for v in claims(old).values()]
    left_new = [v[0] for v in claims(new).values()]
    pairs: list[tuple[Statement, Statement]] = []
    for with_vendor in (True, False):
        groups: dict[tuple, tuple[list[Statement], list[Statement]]] = {}
        for s in left_old:
            groups.setdefault(_group_key(s, with_vendor), ([], []))[0].append(s)
        for s in left_new:
            groups.setdefault(_group_key(s, with_vendor), ([], []))[1].append(s)
        taken: set[int] = set()
        for olds, news in groups.values():
            if not olds or not news:
                continue
            candidates = sorted(((_pair_cost(a, b), i, j) for i, a in enumerate(olds) for j, b in enumerate(news)))
            used_a: set[int] = set()
            used_b: set[int] = set()
            for _, i, j in candidates:
                if i in used_a or j in used_b:
                    continue
                used_a.add(i)
                used_b.add(j)
                pairs.append((olds[i], news[j]))
                taken.update((id(olds[i]), id(news[j])))
        left_old = [s for s in left_old if id(s) not in taken]
        left_new = [s for s in left_new if id(s) not in taken]
    return pairs, left_old, left_new


@dataclass(frozen=True)
class Change:
    change: str  # added | removed | changed
    payer: str
    vendor: str
    service: str
    line_of_business: str
    segment: str
    field: Optional[str]  # None for added/removed
    before: object
    after: object
    quote_before: Optional[str]
    quote_after: Optional[str]
    old: Optional[Statement] = dataclasses.field(default=None, compare=False, repr=False)
    new: Optional[Statement] = dataclasses.field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in CHANGE_FIELDS}

    @property
    def sort_key(self) -> tuple:
        order = {"removed": 0, "changed": 1, "added": 2}
        return (
            self.payer,
            self.vendor,
            self.service,
            self.line_of_business,
            self.segment,
            order[self.change],
            COMPARED.index(self.field) + 1 if self.field in COMPARED else 0,
        )


def _change(
    kind: str,
    s: Statement,
    name: Optional[str],
    before: Any,
    after: Any,
    old: Optional[Statement],
    new: Optional[Statement],
) -> Change:
    return Change(
        kind,
        s.payer,
        s.vendor,
        s.service,
        s.line_of_business,
        s.segment.value,
        name,
        before,
        after,
        old.quote if old else None,
        new.quote if new else None,
        old,
        new,
    )


@dataclass
class Diff:
    old: str  # doc_id (or a name) of each side
    new: str
    changes: list[Change]
    pairs: list[tuple[Statement, Statement]] = field(default_factory=list)
    old_count: int = 0  # claims on each side
    new_count: int = 0
    old_label: str = ""  # for people: a file name, or a stored document's source and version
    new_label: str = ""

    def to_json(self) -> dict:
        return {"old": self.old, "new": self.new, "changes": [c.to_json() for c in self.changes]}

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for c in self.changes:
            out[c.change] += 1
        return out


def diff(old: Sequence[Statement], new: Sequence[Statement], old_id: str = "", new_id: str = "") -> Diff:
    pairs, removed, added = match(old, new)
    changes: list[Change] = []
    for a, b in pairs:
        for name in differing(a, b):
            before, after = (a.vendor, b.vendor) if name == "vendor" else (shown(a, name), shown(b, name))
            changes.append(_change("changed", b, name, before, after, a, b))
    changes += [_change("removed", a, None, summary(a), None, a, None) for a in removed]
    changes += [_change("added", b, None, None, summary(b), None, b) for b in added]
    changes.sort(key=lambda c: c.sort_key)
    return Diff(
        old_id or (old[0].doc_id if old else ""),
        new_id or (new[0].doc_id if new else ""),
        changes,
        pairs,
        len(claims(old)),
        len(claims(new)),
    )


def stable_id(doc_key: str, s: Statement, taken: set[str]) -> str:
    """A fresh stable id for a claim first seen in ``doc_key`` (not one of ``taken``)."""
    n = 0
    while True:
        raw = "|".join((doc_key, *_group_key(s, True), s.program_type.value, str(n)))
        sid = "r" + hashlib.sha256(raw.encode()).hexdigest()[:19]
        if sid not in taken:
            return sid
        n += 1


def carry_ids(
    doc_key: str,
    pairs: Sequence[tuple[Statement, Statement]],
    old_ids: dict[str, str],
    new: Sequence[Statement],
    taken: set[str],
) -> dict[str, str]:
    """rule_id → stable id for every statement of ``new``: inherited through ``pairs`` (``match`` of
    the old version with ``new``; ``old_ids`` maps old rule_id → stable id), fresh for new claims."""
    by_claim: dict[tuple, str] = {}
    for a, b in pairs:
        by_claim[claim_key(b)] = old_ids[a.rule_id]
    taken = set(taken) | set(by_claim.values())
    out: dict[str, str] = {}
    for key, statements in claims(new).items():
        sid = by_claim.get(key)
        if sid is None:
            sid = stable_id(doc_key, statements[0], taken)
            taken.add(sid)
        for s in statements:
            out[s.rule_id] = sid
    return out
