"""Service names: what a stated phrase names as a service, and its canonical form.

A service is named at the level the document gives it, cleaned the way a reader would: lower
case, without the request words around it ("prior authorization requests for …"), without a
long list of examples after a colon or in parentheses ("Advanced imaging: CT, MRI, …" →
"advanced imaging"), without codes, and without a qualifier that narrows whom it is for ("… with a
diagnosis of autism", a condition of the rule). A name the vocabulary knows resolves to its
canonical form. Finding the phrase in a sentence is ``services.py``'s job.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .patterns import SERVICE_MAX_WORDS
from .prefilter import prefilter_module
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


class ServiceNames:
    """Names services (``name``) and resolves them to the vocabulary's names (``canonical_name``)."""

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


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
