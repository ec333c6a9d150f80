"""The payer's own requirements: sentences that say a review is (not) required, with no vendor.

"For most plans, we require notification (not prior authorization) within 72 hours of admission."
"Precertification is required for acute inpatient care." "Authorization is not required for
psychotherapy, psychiatric office visits, or mobile crisis intervention." "No precertification is
required for NEP members." Such a sentence names no one who reviews the requests: the section's vendor
does when the section is about one, the payer's own staff otherwise. The service is what the
sentence names after "for", or the section's heading; the lines of business are those the
sentence names, or the section's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .model import Requirement, Scope
from .prefilter import prefilter_module
from .text import dates_in

if TYPE_CHECKING:
    from .claim import Claim
    from .resources import Resources

_REVIEW = (
    r"(?:prior\s+|pre-?)?(?:authori[sz]ations?|approvals?|certifications?)|pre-?certifications?|notifications?|"
    r"(?:medical\s+necessity\s+|utilization\s+)?reviews?|referrals?"
)
#: A requirement stated by the payer or with no agent at all.
FRAME_RE = re.compile(
    rf"\bwe\s+(?:do\s+not\s+|don['’]t\s+|also\s+|now\s+|will\s+|will\s+not\s+|no\s+longer\s+)?require\b|"
    rf"\b(?:{_REVIEW})\s+(?:is|are|will\s+be|may\s+be|would\s+be)\s+(?:not\s+|also\s+|still\s+|always\s+)?"
    rf"(?:required|necessary|needed)\b|"
    rf"\b(?:{_REVIEW})\s+(?:is\s+not|are\s+not|isn['’]t|aren['’]t|will\s+not\s+be|won['’]t\s+be)\s+(?:required|necessary|needed)\b|"
    rf"\bno\s+(?:{_REVIEW})\s+(?:is|are)\s+(?:required|necessary|needed)\b|"
    rf"\brequires?\s+(?:an?\s+)?(?:{_REVIEW})\b|\bneeds?\s+(?:an?\s+)?(?:{_REVIEW})\b|"
    rf"\bmust\s+have\s+(?:an?\s+)?(?:approved\s+)?(?:{_REVIEW})\b",
    re.I,
)
#: The sentence's subject is a service when the frame is "<service> requires <review>".
SUBJECT_FRAME_RE = re.compile(rf"\b(?:requires?|needs?)\s+(?:an?\s+)?(?:{_REVIEW})\b", re.I)
NEGATIVE_RE = re.compile(r"\b(?:not|no|don['’]t|isn['’]t|aren['’]t|won['’]t|never)\b", re.I)
#: "for most plans", "for all members": a scope without a line of business
SCOPE_RE = re.compile(
    r"\bfor\s+(most|all|some|certain|select)\s+(?:of\s+(?:our|the)\s+)?(?:plans|members|products|groups)\b", re.I
)
#: what follows a scope word that opens a sentence: "Most| members …", "Many, but not all|, members in these plans …"
SCOPED_SUBJECT_RE = re.compile(
    r"[\s,]*(?:of\s+)?(?:our\s+|the\s+|these\s+)?(?:members|plans|groups|products|patients)\b", re.I
)
#: "tests |performed in an outpatient setting|": where or how, not which service
SETTING_TAIL_RE = re.compile(
    r"\s+(?:performed|provided|rendered|done|given|delivered|administered|ordered|received)\b.*$", re.I
)
#: Where or when the requirement holds: "within 48 hours of admission", "performed in a physician's office".
CONDITION_RE = re.compile(
    r"\bwithin\s+\d+\s+(?:business\s+|calendar\s+)?(?:hours?|days?)(?:\s+(?:of|after)\s+(?:the\s+)?"
    r"(?:admission|discharge|the\s+start\s+of\s+care|service|request))?|"
    # "provided in the elective, outpatient setting": a comma inside the setting's adjectives does not end it
    r"\b(?:performed|provided|rendered|done)\s+(?:in|at|by)\s+(?:[^,.;]+,\s+(?=[\w-]+\s+setting\b))?[^,.;]+",
    re.I,
)
#: The object of "for" names people, not a service ("… required for Acme members who are enrolled …").
WHO_RE = re.compile(
    r"\b(?:members?|enrollees?|patients?|subscribers?|employees?|groups?|plans?|products?|"
    r"lines?\s+of\s+business|people|individuals|beneficiaries)\b",
    re.I,
)
#: Sentences that tell a provider how to ask, not what is required.
HOW_TO_RE = re.compile(
    r"^\s*(?:to\s+(?:request|submit|check|verify|find)|if|before|once|after|whether|unless|"
    r"when\s+(?:you|requesting|a|an|the|submitting)|check\s+(?:a|the)|please|you\s+(?:can|may|should)|"
    r"call|fax|submit|use|verify|ask)\b",
    re.I,
)
#: "✔ Prior authorization is required …", "Yes = …": a legend line explains a mark, it states no rule
LEGEND_START_RE = re.compile(r"^\s*[\"“]?(?:[✓✔✅☑✗✘•●○◯—–]|(?:yes|no|n/a|[A-Z]{1,2})[\"”]?\s*[=:])", re.I)
#: "a service |that requires| an authorization": a relative clause, not a statement of the rule
RELATIVE_RE = re.compile(r"\b(?:that|which|who|whether)\s+(?:\w+\s+){0,2}$", re.I)
#: "For these services, we require …": the services named just before or just after
ANAPHOR_LEAD_RE = re.compile(r"^\s*(?:for|of)\s+(?:these|those|such|this|the\s+above|the\s+following)\b", re.I)
#: "(not prior authorization)": an aside that must not decide the requirement
NOT_ASIDE_RE = re.compile(r"\(\s*not\s+[^)]*\)", re.I)
#: A duration or count is not a service ("for the initial 72 hours", "visits 13 and beyond").
COUNT_RE = re.compile(
    r"\b\d+\b.*\b(?:hours?|days?|weeks?|months?|years?|visits?|sessions?|units?)\b|"
    r"\b(?:hours?|days?|weeks?|visits?|sessions?)\s+\d+\b",
    re.I,
)
#: Words that make a requirement sentence a general statement rather than one about a service.
GENERAL_RE = re.compile(r"\b(?:benefits?\s+and\s+eligibility|eligibility|claims?|payment|billing)\b", re.I)


class RequirementReader:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def frame(self, s: str) -> Optional[re.Match]:
        if HOW_TO_RE.match(s) or GENERAL_RE.search(s[:40]) or LEGEND_START_RE.match(s):
            return None
        m = FRAME_RE.search(s)
        if m is None or RELATIVE_RE.search(s[: m.start()]):
            return None
        return m

    def read(self, s: str, claim: Claim) -> bool:
        """Fill ``claim`` from a requirement sentence ``s`` with no vendor; False when it is not one."""
        m = self.frame(s)
        if m is None:
            return False
        negative = bool(NEGATIVE_RE.search(m.group(0))) or bool(
            re.match(r"\s*no\b", s[max(0, m.start() - 3) : m.start() + 3], re.I)
        )
        services = ["these services"] if ANAPHOR_LEAD_RE.match(s) else self._services(s, m)
        claim.payer_requires = True
        claim.services = services
        claim.cues.append("requirement")
        claim.not_required = negative or claim.not_required
        for c in CONDITION_RE.finditer(s):
            text = c.group(0).strip(" ,.;")
            if text not in claim.conditions:
                claim.conditions.append(text)
        scope = SCOPE_RE.search(s)
        if scope and not claim.members:
            word = scope.group(1).lower()
            claim.scope_hint = {"most": Scope.MOST, "some": Scope.SOME, "all": Scope.ALL}.get(word, Scope.SELECT)
        elif not claim.members:
            # "Many, but not all, members in these plans need …": the subject says how many
            lead = self.res.clauses.scope_re.match(s.lstrip())
            if lead and SCOPED_SUBJECT_RE.match(s.lstrip(), lead.end()):
                claim.scope_hint = self.res.clauses.scope_words[lead.group(1).lower()]
        plain = NOT_ASIDE_RE.sub(" ", s)
        if re.search(r"\bnotif(?:y|ication)\b", plain, re.I) and not re.search(r"\bauthori[sz]ation\b", plain, re.I):
            claim.requirement = Requirement.NOTIFICATION
        elif re.search(r"\bpre-?certification\b", plain, re.I) and not re.search(r"\bauthori[sz]ation\b", plain, re.I):
            claim.requirement = Requirement.PRECERTIFICATION
        if claim.requirement is None or claim.requirement is Requirement.NOT_REQUIRED:
            claim.requirement = Requirement.PRIOR_AUTHORIZATION
        return True

    def _services(self, s: str, m: re.Match) -> list[str]:
        names = self.res.services
        found: list[str] = []
        if SUBJECT_FRAME_RE.match(m.group(0)) and not re.match(r"\s*we\b", s[: m.start()], re.I):
            name, _, _ = names.subject_before(s, m.start())
            name = SETTING_TAIL_RE.split(name)[0] if name else name
            if name and not self.res.members.lobish(name):
                found.append(name)
        for f in re.finditer(r"\bfor\s+", s[m.end() :]):
            pos = m.end() + f.end()
            rest = s[pos:]
            if re.match(r"(?:these|those|such|this|that|the\s+above)\b", rest, re.I):
                return ["these services"]  # the services named before: the walk decides what they are
            head = re.split(r"\s+for\s+|[,.;:]", rest, maxsplit=1)[0]
            if (
                self.res.members.lobish(head, strict=True)
                or dates_in(rest[:25])
                or re.match(
                    r"(?:most|all|some|certain|select)\s+(?:plans|members|products|groups)\b|"
                    r"(?:members|the\s+member|patients|providers|you)\b",
                    rest,
                    re.I,
                )
            ):
                continue
            name, _, _ = names.object_after(s, pos, strict=False)
            if name and not self.res.members.lobish(name) and not WHO_RE.search(name) and not COUNT_RE.search(name):
                found.append(name)
                break
        return found


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
