"""Whose members a document is about: the payer, from where a reader looks for it.

The title and headers, the page furniture (running headers and footers, a web page's title,
logo and footer, link domains), the copyright and licensee lines, and the first paragraphs
("<Payer> has contracted with …", "on <Payer>'s behalf", "<Payer> members"). Vocabulary payers
are counted with weights by where they appear; when none is found, a proper name in one of
those frames is kept as written and flagged new. "unknown payer" only when nothing names one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Optional

from ingest import BlockKind, Document

from .patterns import NAME_MAX_WORDS, PAYER_SEARCH_CHARS
from .prefilter import prefilter_module
from .resources import Resources

UNKNOWN = "unknown payer"
#: How much a payer named in each place counts: the title and masthead say who publishes; a payer
#: named before "members" is usually a product line ("Zephyr Choice members"), counted for little.
TITLE_WEIGHT = 4.0
FURNITURE_WEIGHT = 2.0
MASTHEAD_WEIGHT = 2.0
AS_LINE_WEIGHT = 0.25
NAME = r"([A-Z][\w&.'’-]*(?:\s+(?:of|and|&)?\s*[A-Z][\w&.'’-]*){0,6})"
FRAMES = [
    re.compile(
        NAME + r"\s+(?:\([A-Z]{2,8}\)\s+)?(?:has\s+(?:contracted|selected|chosen|partnered)|contracts\s+with|"
        r"works\s+with|has\s+chosen|is\s+an\s+independent\s+licensee)"
    ),
    re.compile(r"\bon\s+behalf\s+of\s+" + NAME),
    re.compile(r"\bon\s+" + NAME + r"(?:'s|’s)\s+behalf"),
    re.compile(r"©\s*(?:\d{4}\s+)?" + NAME),
    re.compile(r"\bfor\s+" + NAME + r"\s+(?:commercial|medicare|medicaid|individual|members|plan\s+members)\b"),
    re.compile(NAME + r"\s+(?:members|providers)\b"),
]
#: A proper name ending in the words organisations end their names with: a letterhead's payer.
ORG_RE = re.compile(
    r"(?:^|\n|,\s+|\b(?:Relations|Department|Services|Team)\s+)"
    r"((?:[A-Z][\w&.'’-]*\s+){0,4}(?:Health|Healthcare|Plan|Partners|Insurance|Care|Network|Company|Mutual|HealthCare)"
    r"(?:\s+(?:Plan|Inc\.?|of\s+[A-Z]\w+))?)\b"
)
#: Words of a line of business that trail a payer's name ("Fabrikam Medicare Advantage").
GENERIC_LINE_WORDS = {"medicare", "medicaid", "advantage", "commercial", "individual", "ppo", "hmo", "pos", "epo"}
#: Capitalised words that are never a payer on their own.
NOT_PAYERS = {
    "medicare",
    "medicaid",
    "commercial",
    "the",
    "our",
    "all",
    "these",
    "members",
    "providers",
    "provider",
    "blue",
    "cross",
    "health",
    "plan",
    "federal",
    "advantage",
    "individual",
    "group",
    "new",
    "page",
}


def detect_payer(doc: Document, res: Resources) -> tuple[str, bool]:
    """(payer, new): a vocabulary payer's canonical name (new=False), a name the document gives
    (new=True), or "unknown payer"."""
    votes: defaultdict[str, float] = defaultdict(float)
    texts: list[tuple[str, float]] = [(doc.title or "", TITLE_WEIGHT)]
    texts += [(f, FURNITURE_WEIGHT) for f in getattr(doc, "furniture", ())[:200]]
    budget = PAYER_SEARCH_CHARS
    for i, b in enumerate(doc.blocks):
        if budget <= 0:
            break
        text = b.text if b.kind is not BlockKind.TABLE else b.text[:1000]
        weight = (
            TITLE_WEIGHT - 1
            if b.kind is BlockKind.HEADING and b.level == 1
            else MASTHEAD_WEIGHT
            if i < 3 and b.kind is not BlockKind.HEADING
            else 1.0
        )
        texts.append((text[:budget], weight))
        budget -= len(text)
    # the last paragraphs often say whose document it is ("… is an independent licensee of …", a signature)
    texts += [(b.text, MASTHEAD_WEIGHT) for b in doc.blocks[-4:] if b.kind is BlockKind.PARAGRAPH]
    for text, weight in texts:
        ann = res.annotate(text)
        for m in ann.of("PAYER"):
            # "for Zephyr Choice members", "Fabrikam Care (Medicare Advantage)": a product named as a line, not the publisher
            as_line = re.match(r"\s*(?:members|plan\s+members|\(|enrollees)", text[m.end : m.end + 12])
            votes[m.canonical] += weight * (AS_LINE_WEIGHT if as_line else 1.0)
        for m in ann.of("LOB"):
            payer = res.vocab.lob_payer(m.canonical)
            if payer:
                votes[payer] += 0.5
    if votes:
        return _best(votes, res), False
    found: defaultdict[str, float] = defaultdict(float)
    for text, weight in texts:
        for rx in FRAMES:
            for frame in rx.finditer(text):
                name = _clean(frame.group(1), res)
                if name:
                    found[name] += weight
    for text, weight in texts:
        if weight >= MASTHEAD_WEIGHT:
            # a letterhead or signature: "Fabrikam Health Partners", "Provider Relations, Contoso Health Plan"
            for org in ORG_RE.finditer(text):
                name = _clean(org.group(1), res)
                if name:
                    found[name] += weight
    for short in list(found):
        # "Fabrikam Medicare Advantage members" and the letterhead "Fabrikam Health Partners": one payer
        longer = [n for n in found if n != short and n.startswith(short + " ")]
        if longer:
            found[max(longer, key=lambda k: found[k])] += found.pop(short)
    if found:
        return max(found, key=lambda k: found[k]), True
    return UNKNOWN, False


def _best(votes: dict[str, float], res: Resources) -> str:
    """The most named payer; a parent brand loses to the plan it owns when both are named
    ("Contoso State Health Plan" over its "Zephyr from Contoso State Health Plan" product)."""
    return max(votes, key=lambda k: votes[k])


def _clean(name: str, res: Resources) -> Optional[str]:
    words = name.split()
    while words and words[0].lower() in NOT_PAYERS | {"and", "of"}:
        words.pop(0)
    while words and words[-1].lower() in {"and", "of", "members", "providers"} | GENERIC_LINE_WORDS:
        words.pop()  # "Fabrikam Medicare Advantage": the payer is Fabrikam
    if not words or len(words) > NAME_MAX_WORDS or all(w.lower() in NOT_PAYERS for w in words):
        return None
    name = " ".join(words)
    ann = res.annotate(name)
    if ann.of("VENDOR", "PORTAL", "NOTVENDOR", "LOB", "SERVICE", "STATE", "GROUP"):
        return None
    return name


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
