"""``who``: which vendor handles a service for a member, resolved from the active rules.

A question names a service and, optionally, payer, line of business, segment and employer group.
Services nest (the vocabulary's ``within``): a rule for the broader program answers for the
narrower service too, unless it says "other than <service>". Each candidate rule gets a verdict:

* ``handles``      — the rule covers the member (scope all/most, or the group is named as included);
* ``redirected``   — the member's group is excepted and the text names who handles it instead;
* ``excepted``     — the member's group is excepted from this vendor;
* ``only-others``  — the rule covers only named groups, and the member's group is not one of them;
* ``may-apply``    — select/some groups, and the member's group is not named;
* ``individual-only`` — the rule is for members with individual coverage, the question names a group;
* ``not-required`` / ``does-not-manage`` — the rule says no authorization is needed / the vendor does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Optional

from extract import Segment, Vocabulary
from graph import resolve as entity

from .connection import Warehouse
from .errors import ArgumentError
from .suggest import Hints, hints

if TYPE_CHECKING:
    from .answer import Explained

FUNDED = {Segment.FULLY_INSURED.value, Segment.SELF_FUNDED.value}


@dataclass(frozen=True)
class Question:
    """Who handles ``service`` for a member of ``payer`` / line of business / segment / employer group?
    Names may be aliases, former names or (for the group) a group number."""

    service: str
    payer: Optional[str] = None
    line_of_business: Optional[str] = None
    segment: Optional[str] = None
    group: Optional[str] = None
    as_of: Optional[date] = None  # the rules in force that day (coverage_rules_as_of); None: every active rule


@dataclass(frozen=True)
class Finding:
    """One candidate rule and what it means for the member (``verdict``), with its source."""

    verdict: str
    vendor: str
    service: str
    payer: str
    line_of_business: str
    segment: str
    scope: str
    requirement: str
    exceptions: list[str]
    inclusions: list[str]
    conditions: Optional[str]
    effective_from: Optional[date]
    rule_id: str
    doc_id: str
    source: str
    page: int
    quote: str
    via: Optional[str] = None  # the broader service whose rule answers
    instead_of: Optional[str] = None  # for a redirect: the vendor the group is excepted from
    exception_quote: Optional[str] = None  # for a redirect: the exception's text naming the vendor
    effective_to: Optional[date] = None


@dataclass
class Answer:
    """The question, its terms resolved to canonical names, and every finding (most specific first);
    ``hints`` name the terms nobody knows, with close names, and where the service has rules when
    none matched the member (``warehouse.suggest``)."""

    question: Question
    resolved: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    hints: Hints = field(default_factory=Hints)

    @property
    def vendors(self) -> list[str]:
        """Who handles it: vendors with a ``handles`` or ``redirected`` verdict, most specific first."""
        ranked = sorted(
            (f for f in self.findings if f.verdict in ("handles", "redirected")),
            key=lambda f: (f.via is not None, f.verdict != "redirected"),
        )
        return list(dict.fromkeys(f.vendor for f in ranked))

    def explained(self) -> Explained:
        """The findings grouped by what they say, most specific first, and a one-line answer
        (``warehouse.answer``)."""
        from .answer import explain

        return explain(self)


def _segment(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    v = re.sub(r"[\s-]+", "_", value.strip().lower())
    try:
        return Segment(v).value
    except ValueError:
        raise ArgumentError(f"unknown segment {value!r}; one of: {', '.join(s.value for s in Segment)}") from None


def resolve(q: Question, vocab: Vocabulary) -> dict[str, Any]:
    """Canonical names for the question's terms (aliases, renames, group numbers)."""
    service = vocab.canonical("SERVICE", q.service) or q.service.strip().lower()
    chain = [service]
    while (parent := vocab.service_parent(chain[-1])) and parent not in chain:
        chain.append(parent)
    group = entity.group(vocab, q.group) if q.group else None
    return {
        "service": service,
        "services": chain,
        "payer": (vocab.canonical("PAYER", q.payer) or q.payer) if q.payer else None,
        "line_of_business": (vocab.canonical("LOB", q.line_of_business) or q.line_of_business)
        if q.line_of_business
        else None,
        "segment": _segment(q.segment),
        "group": group,
        "as_of": q.as_of,
    }


def who(wh: Warehouse, q: Question, vocab: Vocabulary | None = None) -> Answer:
    vocab = vocab or Vocabulary.load()
    r = resolve(q, vocab)
    rules = "coverage_rules" if q.as_of is None else "coverage_rules_as_of(?)"
    params: list[Any] = [] if q.as_of is None else [q.as_of]
    sql = [
        f"""SELECT c.*, d.source FROM {rules} c JOIN documents d USING (doc_id)
              WHERE c.service IN (SELECT unnest(?))"""
    ]
    params.append(r["services"])
    if r["payer"]:
        sql.append("AND c.payer = ?")
        params.append(r["payer"])
    if r["line_of_business"]:
        sql.append("AND c.line_of_business IN (?, 'all')")
        params.append(r["line_of_business"])
    if r["segment"]:
        segs = [r["segment"], "all"] + (["group"] if r["segment"] in FUNDED else [])
        sql.append("AND c.segment IN (SELECT unnest(?))")
        params.append(segs)
    sql.append("ORDER BY c.service, c.vendor, c.line_of_business, c.segment, c.doc_id, c.page")
    cols, rows = wh.query(" ".join(sql), params)
    answer = Answer(q, r)
    group = r["group"]
    alternates: dict[tuple[str, str], tuple[str, str]] = {}
    if group:  # another vendor named for an excepted group (only a group's member is excepted)
        sql_alt = (
            "SELECT rule_id, group_name, alternate_vendor, quote FROM exceptions WHERE alternate_vendor IS NOT NULL"
        )
        alternates = {(rid, g): (alt, quote) for rid, g, alt, quote in wh.query(sql_alt)[1]}
    for row in rows:
        rec = dict(zip(cols, row))
        via = rec["service"] if rec["service"] != r["service"] else None
        if (
            via
            and rec["conditions"]
            and re.search(r"\bother than\b[^;]*\b" + re.escape(r["service"]), rec["conditions"], re.I)
        ):
            continue  # "for <parent service> other than <this service>"
        base = dict(
            vendor=rec["vendor"],
            service=rec["service"],
            payer=rec["payer"],
            line_of_business=rec["line_of_business"],
            segment=rec["segment"],
            scope=rec["scope"],
            requirement=rec["requirement"],
            exceptions=list(rec["exceptions"] or []),
            inclusions=list(rec["inclusions"] or []),
            conditions=rec["conditions"],
            effective_from=rec["effective_from"],
            rule_id=rec["rule_id"],
            doc_id=rec["doc_id"],
            source=rec["source"],
            page=rec["page"],
            quote=rec["quote"],
            via=via,
            effective_to=rec["effective_to"],
        )
        verdict = _verdict(rec, group)
        answer.findings.append(Finding(verdict=verdict, **base))
        if verdict == "excepted" and (alt := alternates.get((rec["rule_id"], group))):
            answer.findings.append(
                Finding(
                    **{
                        **base,
                        "verdict": "redirected",
                        "vendor": alt[0],
                        "instead_of": rec["vendor"],
                        "exception_quote": alt[1],
                    }
                )
            )
    asked = {"service": q.service, "payer": q.payer, "line_of_business": q.line_of_business, "group": q.group}
    answer.hints = hints(wh, vocab, asked, r, bool(answer.findings))
    return answer


def _verdict(rec: dict[str, Any], group: Optional[str]) -> str:
    scope, excepted, included = rec["scope"], rec["exceptions"] or [], rec["inclusions"] or []
    if rec["requirement"] == "not_required":
        return "not-required"
    if scope == "none":
        return "does-not-manage"
    if group and rec["segment"] == Segment.INDIVIDUAL.value:
        return "individual-only"  # a group's member does not have individual coverage
    if group and group in excepted:
        return "excepted"
    if scope == "only":
        return "handles" if group and group in included else "only-others"
    if scope in ("select", "some"):
        return "handles" if group and group in included else "may-apply"
    return "handles"
