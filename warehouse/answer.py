"""``who`` answered like a person: findings that say the same thing grouped, the groups ordered by how
specific they are to the question, and a one-line answer.

Two findings say the same thing when they give the same verdict for the same vendor with the same
scope (as breadth: "Most groups — Exception: X" is all but X), requirement, conditions, exceptions,
inclusions and dates, whatever line of business, segment, document or sentence they come from. A
group keeps every line and segment it was stated for and every distinct quote.

Specificity to the question, most specific first: the question's own service before a broader one
whose rule answers for it; a rule that names the member's group; the question's own line of business
and segment before "all" (and a funding segment before "group"); then what the verdict says — who
handles it, then what applies to some members only, then "not required", then "does not manage";
last, rules without conditions before rules for particular settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from extract.vocabulary import comparison_key

from .who import Answer, Finding

#: verdicts in the order a person wants them: who handles it first, exclusions last
VERDICT_ORDER = (
    "handles", "redirected", "excepted", "only-others", "may-apply", "individual-only", "not-required",
    "does-not-manage",
)  # fmt: skip
HANDLING = ("handles", "redirected")
#: words a condition can start with to read on after "not required" without brackets
PREPOSITIONS = frozenset(
    {"in", "as", "at", "for", "during", "when", "if", "with", "within", "after", "before", "from", "under", "on"}
)


def _breadth(f: Finding) -> str:
    if f.scope == "none":
        return "none"
    if f.scope == "all" or (f.scope == "most" and f.exceptions):
        return "all"
    return "most" if f.scope == "most" else "subset"


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({k for k in (comparison_key(n) for n in names) if k}))


def same_claim(f: Finding) -> tuple[Any, ...]:
    """Findings with equal keys say the same thing for the question."""
    return (
        f.verdict, f.vendor, f.instead_of, f.via, _breadth(f), f.requirement, comparison_key(f.conditions or ""),
        _names(f.exceptions), _names(f.inclusions), f.effective_from, f.effective_to,
    )  # fmt: skip


def rank(f: Finding, resolved: dict[str, Any]) -> tuple[Any, ...]:
    """Sort key of a finding: more specific to the question first (see the module's doc)."""
    group, lob, seg = resolved.get("group"), resolved.get("line_of_business"), resolved.get("segment")
    names_group = bool(group) and (group in f.exceptions or group in f.inclusions)
    segment_rank = 0 if not seg or f.segment == seg else 1 if f.segment == "group" else 2
    return (
        f.via is not None,
        not names_group,
        bool(lob) and f.line_of_business != lob,
        segment_rank,
        VERDICT_ORDER.index(f.verdict) if f.verdict in VERDICT_ORDER else len(VERDICT_ORDER),
        bool(f.conditions),
    )


@dataclass(frozen=True)
class Group:
    """Findings that say the same thing (``same_claim``), in the order they were found; ``lines`` are
    (line of business, segment) pairs in first-seen order."""

    findings: tuple[Finding, ...]
    lines: tuple[tuple[str, str], ...]
    specificity: tuple[Any, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def verdict(self) -> str:
        return self.first.verdict

    @property
    def vendor(self) -> str:
        return self.first.vendor

    @property
    def label(self) -> str:
        """The verdict with its scope, a requirement other than prior authorization, and its conditions:
        "handles (most) — provided in the elective", "handles (notification) — within 48 hours"."""
        f = self.first
        text = f.verdict.replace("-", " ")
        shown = [f.scope] if f.verdict in HANDLING and f.scope not in ("all", "none") else []
        if f.verdict in HANDLING and f.requirement != "prior_authorization":
            shown.append(f.requirement.replace("_", " "))
        text += f" ({', '.join(shown)})" if shown else ""
        return text + (f" — {f.conditions}" if f.conditions else "")

    @property
    def members(self) -> str:
        """Lines of business, each with its segments unless "all": "Commercial PPO (fully insured)"."""
        by_line: dict[str, list[str]] = {}
        for line, seg in self.lines:
            line = "every line" if line == "all" else line
            by_line.setdefault(line, [])
            if seg != "all" and seg not in by_line[line]:
                by_line[line].append(seg)
        return "; ".join(
            line + (f" ({', '.join(s.replace('_', ' ') for s in segs)})" if segs else "")
            for line, segs in by_line.items()
        )

    @property
    def validity(self) -> str:
        f = self.first
        start, end = f.effective_from, f.effective_to
        return " ".join(x for x in (f"from {start}" if start else "", f"until {end}" if end else "") if x)

    @property
    def sources(self) -> list[tuple[str, int, str]]:
        """(source, page, quote) of each distinct sentence the group rests on."""
        return list(dict.fromkeys((f.source, f.page, f.quote) for f in self.findings))


def group_findings(findings: Sequence[Finding], resolved: dict[str, Any]) -> list[Group]:
    """``findings`` grouped by what they say, most specific to the question first."""
    grouped: dict[tuple[Any, ...], list[Finding]] = {}
    for f in findings:
        grouped.setdefault(same_claim(f), []).append(f)
    groups = [
        Group(
            tuple(fs),
            tuple(dict.fromkeys((f.line_of_business, f.segment) for f in fs)),
            min(rank(f, resolved) for f in fs),
        )
        for fs in grouped.values()
    ]
    return sorted(groups, key=lambda g: (g.specificity, g.vendor.casefold(), g.members.casefold()))


@dataclass(frozen=True)
class Explained:
    """An ``Answer`` for people: its findings grouped (``groups``, most specific first) and ``sentence``,
    the one-line answer."""

    groups: list[Group]
    sentence: str


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lines(g: Group) -> str:
    """The group's lines of business ("" when the rule is for every line)."""
    lines = [line for line in dict.fromkeys(line for line, _ in g.lines) if line != "all"]
    return _and(lines) if lines else ""


def _phrase(*words: str) -> str:
    return " ".join(w for w in words if w)


def _dates(f: Finding) -> str:
    end = f.effective_to
    return (f" from {f.effective_from}" if f.effective_from else "") + (f" until {end}" if end else "")


def _members(g: Group) -> str:
    f = g.first
    lines = _lines(g)
    if f.scope == "only":
        text = (
            _phrase(lines, "members of", _and(list(f.inclusions)), "only")
            if f.inclusions
            else _phrase("some", lines, "members")
        )
    elif f.scope in ("select", "some"):
        text = _phrase(f.scope, lines, "groups") + (f" including {_and(list(f.inclusions))}" if f.inclusions else "")
    else:
        text = _phrase(f.scope, lines, "members")
    if f.exceptions:
        text += f" except {_and(list(f.exceptions))}"
    return text + (f" ({f.conditions})" if f.conditions else "") + _dates(f)


def _not_required(g: Group) -> str:
    f = g.first
    if not f.conditions:
        return _phrase("not required for", _lines(g), "members") + _dates(f)
    first = f.conditions.split(maxsplit=1)[0].lower()
    return f"not required {f.conditions}" if first in PREPOSITIONS else f"not required ({f.conditions})"


def sentence(groups: Sequence[Group], group: Optional[str] = None) -> str:
    """The one-line answer: who handles it for whom, then what applies to some members only, then where
    it is not required, then the lines excluded."""
    if not groups:
        return "No rule answers this question."
    clauses: list[str] = []
    handling: dict[str, list[str]] = {}
    for g in groups:
        if g.verdict == "handles":
            handling.setdefault(g.vendor, []).append(_members(g))
    clauses += [f"{vendor} handles it for {_and(parts)}" for vendor, parts in handling.items()]
    member = group or "this group"
    for g in groups:
        f = g.first
        if g.verdict == "redirected":
            clauses.append(f"{f.vendor} handles it for {member} instead of {f.instead_of}{_dates(f)}")
        elif g.verdict == "excepted":
            clauses.append(f"{member} is excepted from {f.vendor}")
        elif g.verdict == "only-others":
            clauses.append(f"{f.vendor} handles it only for {_and(list(f.inclusions)) or 'named groups'}")
        elif g.verdict == "may-apply":
            clauses.append(f"{f.vendor} handles it for {_members(g)}; check whether {member} is one")
        elif g.verdict == "individual-only":
            clauses.append(f"{f.vendor} handles it only for members with individual coverage")
    clauses += [_not_required(g) for g in groups if g.verdict == "not-required"]
    handled = {line for g in groups if g.verdict in HANDLING for line, _ in g.lines}
    for g in groups:
        if g.verdict != "does-not-manage":
            continue
        if any(line in handled for line, _ in g.lines):
            clauses.append(_phrase("not", g.vendor, "for", _lines(g) or "any line") + _dates(g.first))
        else:
            clauses.append(_phrase(_lines(g) or "every line", "excluded") + _dates(g.first))
    text = "; ".join(dict.fromkeys(clauses))
    return text[0].upper() + text[1:] + "."


def explain(answer: Answer) -> Explained:
    """``answer``'s findings grouped and ordered, with the one-line answer."""
    groups = group_findings(answer.findings, answer.resolved)
    return Explained(groups, sentence(groups, answer.resolved.get("group")))
