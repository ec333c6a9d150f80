"""Services as documents name them: the object of a delegation verb, a list item, a table cell.

A service is named at the level the document gives it, cleaned the way a reader would: lower
case, without the request words around it ("prior authorization requests for …"), without a
long list of examples after a colon or in parentheses ("Advanced imaging: CT, MRI, …" →
"advanced imaging"), without codes. A name the vocabulary knows resolves to its canonical form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .patterns import SERVICE_MAX_WORDS
from .text import fold, normalize

if TYPE_CHECKING:
    from .nlp import Annotator
    from .vocabulary import Vocabulary

LEAD_WORDS_RE = re.compile(
    r"^(?:(?:the|a|an|all|any|our|their|its|these|those|such|for|of|to|certain|select|selected|some|several|only|"
    r"various|specific|specified|many|most|new|additional|following|specialized|specialty|eligible|prior|"
    r"authorization|authorizations|pre-?authorization|precertification|pre-?certification|requests?|reviews?|"
    r"review\s+of|approval|utilization\s+management|management\s+of|appropriateness\s+of\s+care)\s+)+",
    re.I,
)
TRAIL_WORDS_RE = re.compile(
    r"(?:\s+(?:requests?|reviews?|claims|cases|codes|programs?\s+codes|listed\s+below|"
    r"below|above|that|which|performed|provided|covered|only|(?:prior\s+)?authori[sz]ations?|"
    r"pre-?authori[sz]ations?|precertifications?))+\s*$",
    re.I,
)
CODES_RE = re.compile(r"\s*\b(?:codes?|CPT|HCPCS)\b\s*:?.*$", re.I)
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
#: Words that make a phrase a service. "program", "services", "care", "management" and "health" alone do
#: not ("Program overview", "Provider orientation for Acme Health"); they need one of these beside them.
SERVICE_HEAD_RE = re.compile(
    r"\b(?:imaging|radiology|cardiology|oncology|therapy|therapies|therapeutic|testing|tests?|studies|study|sleep|"
    r"surgery|surgeries|surgical|procedures|drugs?|medications?|injections?|"
    r"injectables?|devices?|genetic|genomic|molecular|laboratory|lab|musculoskeletal|MSK|pain|spine|joint|"
    r"chiropractic|rehabilitation|rehab|echocardiograph\w*|ultrasound|catheterization|arthroplasty|transplant|"
    r"dialysis|infusion|anesthesia|ambulance|transport\w*|NICU|maternity|pregnancy|behavioral|mental|substance|"
    r"wellness|opinion|decision\s+support|ablation|bariatric|polysomnography|adenoidectomy|telemetry|cardiography|"
    r"care\s+management|case\s+management|disease\s+management|utilization\s+management\s+of\s+\w+|"
    r"pharmacy|prescriptions?|opioids?|radiation|PT|OT|ST|CT|MRI|PET|DME|equipment|hospice|nursing|admissions?)\b",
    re.I,
)
ACRONYM_RE = re.compile(r"^(?:[A-Z]{2,6}s?|CAR-T|[A-Z]+/[A-Z]+)$")


#: Names that say "some service" without naming one.
GENERIC_RE = re.compile(
    r"^(?:(?:the|these|those|such|some|all|other|two|three|four|several|specialized|specialty|"
    r"selected|certain|listed|following|covered|eligible|medical|health|healthcare|clinical|"
    r"utilization\s+management|prior\s+authorization|care\s+management|benefits?\s+management|"
    r"specialty\s+medical\s+benefits\s+management|management)\s+)*(?:services?|programs?|"
    r"procedures?|requests?|reviews?|codes?|areas?|benefits?|categories|items?|"
    r"utilization\s+management(?:\s+services)?|prior\s+authorizations?|authorizations?)"
    r"(?:\s+(?:below|above|listed|in\s+the\s+table))?$",
    re.I,
)


#: A vocabulary name replaces a stated one only when it shares more than this share of its words.
CANONICAL_OVERLAP = 0.5
#: Words that do not change which service a name means ("widget scan procedures" is "widget scan").
FILLER = {"procedures", "procedure", "services", "service", "program", "programs", "and", "the", "of", "for"}
#: Abbreviations that stand for words of a canonical name ("PT, OT and ST").
ABBREVIATIONS = {
    "pt": ("physical", "therapy"),
    "ot": ("occupational", "therapy"),
    "st": ("speech", "therapy"),
    "msk": ("musculoskeletal",),
    "nicu": ("neonatal", "intensive", "care"),
    "lab": ("laboratory",),
}


#: A pointer to a page, manual or list ("… page on our ereferrals website", "… chapter of the Provider Manual").
REFERENCE_RE = re.compile(
    r"\b(?:page|pages|website|websites|web\s+site|manuals?|chapters?|sections?|faqs?|"
    r"frequently\s+asked|questions|links?|documents?|guides?|bulletins?|newsletters?|lists?|"
    r"router|library|tools?|forms?|criteria|questionnaires?|see\s+the\s+following)\b|"
    r"\.com\b|\.org\b|https?://|www\.",
    re.I,
)
#: Words of settings and urgency, not services ("Outpatient", "Elective / Non-emergent", "Inpatient stays").
SETTING_WORDS = {
    "outpatient",
    "inpatient",
    "diagnostic",
    "elective",
    "non",
    "emergent",
    "nonemergent",
    "non-emergent",
    "emergency",
    "emergencies",
    "room",
    "rooms",
    "department",
    "observation",
    "stay",
    "stays",
    "services",
    "urgent",
    "care",
    "home",
    "health",
    "settings",
    "setting",
    "office",
    "hospital",
    "facility",
    "and",
    "or",
    "the",
    "in",
    "an",
    "a",
    "visits",
    "23",
    "hour",
    "observations",
    "admissions",
}
#: Words that name kinds of programs, not services ("Care management and utilization management").
PROGRAM_WORDS = {
    "care",
    "case",
    "utilization",
    "management",
    "programs",
    "program",
    "and",
    "services",
    "service",
    "prior",
    "authorization",
    "review",
    "medical",
    "specialty",
    "benefits",
    "benefit",
    "health",
    "the",
}
#: "a prescription above the limit", "each injection": one instance, not the name of a service
INSTANCE_RE = re.compile(r"^(?:a|an|each|any|one|every)\s+(?!\w+\s+of\b)", re.I)
#: Names of events and pages, not services ("Orientation sessions for the molecular testing program").
NOT_SERVICE_RE = re.compile(
    r"^(?:\w+\s+){0,2}(?:orientation|webinars?|sessions?|training|meetings?|guidelines|contacts?|"
    r"questions|reminders?|updates?|news|resources|overview|faqs?|portal|registration|forms?)\b|"
    r"\b(?:migration|orientation|webinars?|walkthrough|requirements|announcements?|"
    r"changes|transition)\b",
    re.I,
)


#: A qualifier that narrows whom a service is for, not which service it is ("PT, OT and ST |with a
#: diagnosis of autism|", "widget therapy |for members age 19 and older|"): a condition of the rule.
QUALIFIER_RE = re.compile(
    r"\s*,?\s+(?:(?:with|for)\s+(?:a\s+|an\s+)?(?:primary\s+)?diagnos[ie]s\s+of|"
    r"(?:for|in)\s+(?:members|patients|adults|children|individuals)\s+(?:age[sd]?|under|over|"
    r"older|younger|with|who|between)|for\s+(?:ages?|members\s+ages?)\s+\d)\b.*$",
    re.I,
)
#: Delivery words before a service name that do not change which service it is ("a self-service online
#: widget coaching program" is the "widget coaching program").
DELIVERY_RE = re.compile(
    r"^(?:(?:self service|self guided|online|web based|digital|virtual|voluntary|free|optional|"
    r"confidential|personali[sz]ed|comprehensive|enhanced|new)\s+)+"
)


def split_qualifier(stated: str) -> tuple[str, Optional[str]]:
    """``stated`` without its qualifier, and the qualifier ("with a diagnosis of autism") or None."""
    m = QUALIFIER_RE.search(stated)
    if not m or m.start() == 0:
        return stated, None
    return stated[: m.start()], stated[m.start() :].strip(" ,.;")


def _singular(folded: str) -> str:
    """ "widget infusion drugs" and "… drug" are one name."""
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w for w in folded.split()
    )


class ServiceNamer:
    def __init__(self, vocab: Vocabulary, annotate: Annotator) -> None:
        self.vocab = vocab
        self.annotate = annotate
        self.canonical = {_singular(fold(n)): s.name for s in vocab.services for n in s.all_names()}

    def name(self, stated: str, strict: bool = True) -> Optional[str]:
        """The service a phrase names, or None when it names none. ``strict=False`` where the
        structure says the phrase is a service (a table's service column, a services list), so a
        name without a service word ("Adenoidectomy", "… implantable pacemakers") still counts."""
        text = normalize(stated).strip(" .,:;—–-*")
        text = CODES_RE.sub("", text).strip(" .,:;")
        text = split_qualifier(text)[0]
        # "Radiology prior authorization with Acme Review": the service, not who reviews it
        text = (
            re.sub(
                r"\s+(?:(?:prior\s+)?authori[sz]ations?|reviews?|programs?)\s+(?:with|through|by|from)\s+(?-i:[A-Z]).*$",
                "",
                text,
            ).strip()
            or text
        )
        if not text:
            return None
        if _singular(fold(text)) in self.canonical:
            return text.lower() if not ACRONYM_RE.match(text) else text
        text = LEAD_WORDS_RE.sub("", text).strip()
        text = TRAIL_WORDS_RE.sub("", text).strip(" ,.")
        words = text.split()
        if len(words) > 2:
            # "Advanced imaging: CT, MRI, …", "Lab management (molecular and genomic testing)"
            head = re.split(r"\s*[:—–]\s+|\s*\(", text, maxsplit=1)[0].strip()
            if head and head != text and SERVICE_HEAD_RE.search(head) and len(head.split()) >= 1:
                text = head
            elif len(words) > (SERVICE_MAX_WORDS if strict else SERVICE_MAX_WORDS * 2):
                return None
        text = re.sub(r"\s*\([^()]*\)\s*$", "", text).strip() if len(text.split()) > 3 else text
        if not text or (
            strict
            and not SERVICE_HEAD_RE.search(text)
            and not self.canonical.get(_singular(fold(text)))
            and not self.annotate(text).of("SERVICE")
        ):
            return None
        if (
            GENERIC_RE.match(text)
            or NOT_SERVICE_RE.search(text)
            or set(fold(text).split()) <= PROGRAM_WORDS
            or REFERENCE_RE.search(text)
            or set(fold(text).split()) <= SETTING_WORDS
        ):
            return None
        return " ".join(w if ACRONYM_RE.match(w) else w.lower() for w in text.split())

    def canonical_name(self, name: str) -> str:
        """The vocabulary's name for a service stated as one of its aliases ("widget scan
        procedures" → "widget scan", "PT, OT and ST" → "physical, occupational and speech
        therapy"); any other name as stated. The vocabulary lists as aliases only rewordings, not
        narrower or neighbouring services ("interventional widget therapy" is not "widget therapy")."""
        found = self.canonical.get(_singular(fold(name)))
        if found is None:
            found = self.canonical.get(_singular(DELIVERY_RE.sub("", fold(name))))
        return found or name

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
