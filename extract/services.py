"""Services as sentences state them: the object of a delegation verb ("reviews |outpatient
therapy| for …"), the subject of a passive or "requires" verb ("|Provider-administered drugs| for
… are reviewed by"), an inline list ("two programs: advanced imaging and musculoskeletal care").
Naming the phrase found is ``service_names.py``'s job (``ServiceNames``, the base of
``ServiceNamer``).
"""

from __future__ import annotations

import re
from typing import Optional

from .prefilter import prefilter_module
from .service_names import ServiceNames

#: Words that stop the object of a delegation verb ("… imaging for Medicaid members", "… on our behalf").
OBJECT_END_RE = re.compile(
    r"\s+for\s+(?:(?:our|the|all|its|their|these|those|most|some|select|eligible|certain|any|each|every)\s+)?"
    r"(?:(?-i:[A-Z])|(?:members|member|individuals|infants|children|adults|patients|people|enrollees|dates|employees|"
    r"commercial|individual|fully|self|group|groups|government|medicare|medicaid)\b)"
    r"|\s+on\s+(?!or\b|and\b)(?-i:[a-z])|\s+for\s+(?:the\s+)?following\b|\s+for\s+(?:these|those|all|our)\s+(?:groups|members)\b"
    r"|\s+(?:on\s+(?:\w+['’]s\s+)?behalf|on\s+or\s+after|on\s+and\s+after|effective|beginning|starting|as\s+of|"
    r"after\s+the|in\s+(?:an?|the|any|all|every)\s+|in\s+(?:outpatient|inpatient|office)|when|that|which|who|"
    r"performed|provided|through|via|using|under|at|with\s+dates|to\s+(?:(?:eligible|our|all|the|its|their)\s+)?(?:members|ensure|make|determine|patients|providers)|"
    r"is|are|was|were|will|begin|begins|since|from|directly|itself|themselves|instead|as\s+well|and\s+no|"
    r"and\s+(?:is|are|will|does|do|has))\b"
    r"|\s*[.;:!?](?:\s|$)|\s*,\s*(?:for|effective|beginning|on|as|starting|and\s+(?:will|is|are)|which|who|an?|the|"
    r"including|includes|except|excluding|such\s+as)\b"
    r"|\s+[—–]\s+|\s*\(\s*(?:see|for|effective)",
    re.I,
)
#: "a prescription above the limit", "each injection": one instance, not the name of a service
INSTANCE_RE = re.compile(r"^(?:a|an|each|any|one|every)\s+(?!\w+\s+of\b)", re.I)


class ServiceNamer(ServiceNames):
    """Finds the service phrases of a sentence and names them."""

    def listed(self, text: str) -> list[str]:
        """Services of an inline list: "two programs: advanced imaging and musculoskeletal care"."""
        m = re.search(r":\s*(.+?)\s*[.;]?$", text)
        if not m:
            return []
        parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", m.group(1))
        names = [self.name(p) for p in parts]
        return [n for n in names if n] if all(names) else []

    def object_after(self, text: str, pos: int, strict: bool = True) -> tuple[Optional[str], int, int]:
        """The noun phrase a verb at ``pos`` governs: "reviews |outpatient therapy| for …"."""
        rest = text[pos:]
        lead_prep = re.match(r"\s*(?:for|of)\s+(?=(?:various|select|selected|certain|all|the)\b)", rest, re.I)
        if lead_prep:
            pos += lead_prep.end()
            rest = text[pos:]
        m = OBJECT_END_RE.search(rest)
        end = m.start() if m else len(rest)
        phrase = rest[:end]
        lead = re.match(
            r"\s*(?:(?:prior\s+)?authori[sz]ations?|pre-?authori[sz]ation|precertification|"
            r"utilization\s+management|reviews?|requests?|prior\s+authorization\s+requests?|"
            r"(?:prior\s+)?authorization\s+requests?|determinations|decisions)\s+(?:for|of|on)\s+",
            phrase,
            re.I,
        )
        if lead:
            phrase = phrase[lead.end() :]
            more = OBJECT_END_RE.search(phrase)
            if more:
                phrase = phrase[: more.start()]
        start = pos + (len(rest[:end]) - len(phrase) if lead else 0) + (len(phrase) - len(phrase.lstrip()))
        phrase = phrase.strip()
        return self.name(phrase, strict=strict), start, start + len(phrase)

    def subject_before(self, text: str, pos: int) -> tuple[Optional[str], int, int]:
        """The subject of a passive or "requires" verb: "|Provider-administered drugs| for … are reviewed by"."""
        head = text[:pos]
        head = re.sub(
            r"(?:\s+(?:still|also|now|currently|only|then|generally|always|usually|typically|never|will|may|"
            r"must|do|does|did|not|don't|doesn't|won't))+\s*$",
            "",
            head,
            flags=re.I,
        )
        start = 0
        clause = list(re.finditer(r"[:;]\s+", head))
        if clause:
            start = clause[-1].end()
        dated = re.match(
            r"\s*(?:for\s+dates\s+of\s+service\s+)?(?:on\s+or\s+after|on\s+and\s+after|beginning|effective|"
            r"as\s+of|starting|since|from)\s+[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4},?\s*",
            head[start:],
            re.I,
        )
        if dated:
            start += dated.end()
        lead = re.match(
            r"\s*(?:(?:prior\s+)?authori[sz]ation|precertification|review|requests?)\s+(?:requests?\s+)?(?:for|of)\s+",
            head[start:],
            re.I,
        )
        if lead:
            start += lead.end()
        lead = re.match(
            r"\s*(?:for\s+[^,]{1,80},\s*|as\s+of\s+[^,]{1,30},\s*|beginning\s+[^,]{1,30},\s*|"
            r"effective\s+[^,]{1,30},\s*|starting\s+[^,]{1,30},\s*)",
            head[start:],
            re.I,
        )
        if lead:
            start += lead.end()
            req = re.match(
                r"\s*(?:(?:prior\s+)?authori[sz]ation|precertification|review|requests?)\s+(?:requests?\s+)?(?:for|of)\s+",
                head[start:],
                re.I,
            )
            if req:
                start += req.end()
        m = re.search(
            r"\s+(?:for|of|in|to|at|with)\s+(?:(?:the|our|all|pregnant|eligible|new)\s+)?"
            r"(?:[A-Z]|members|infants|children|adults)|\s+(?:that|which|who)\s+",
            head[start:],
        )
        end = start + m.start() if m else len(head)
        phrase = head[start:end].strip()
        if INSTANCE_RE.match(phrase):
            return None, start, end
        return self.name(phrase), start, end


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
