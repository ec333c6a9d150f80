"""Lines of business as documents write them: the line a phrase names (``LobNamer.name``).

A line of business is named as the document states it ("Blue Cross Medicare Advantage (PPO)" →
"Blue Cross Medicare Advantage PPO"), with what a reader drops dropped: trademark marks, a
trailing "members", an acronym that repeats the words before it ("Northwind Employee Plan
(NEP)"), a parenthesis that only describes ("Medicare Advantage (BlueMedicare HMO and PPO)"), and
the document's own payer name in front of a generic term ("Northwind Medicare Advantage"). A
parenthesis that says which generic line a product is ("Zephyr Advantage Health Plan (Medicare
Advantage)", "Contoso State Health Plan (Medicaid)") names it by that generic line. Funding words
inside the phrase become the segment ("Commercial fully insured" → Commercial, fully_insured);
the individual market ("ACA individual and family plans") is the Commercial line's individual
segment. Rules only; the vocabulary knows the terms, and ``lob_terms.py`` finds them in text and
splits lists of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

from .lob_terms import PAREN_RE, LobTerms
from .model import Segment
from .nlp import Annotator
from .prefilter import prefilter_module
from .text import fold, normalize
from .vocabulary import Vocabulary

TRAILING_RE = re.compile(
    r"(?:\s+(?:plan\s+)?(?:members?|enrollees|subscribers|beneficiaries|population|"
    r"participants|membership|coverage))+\s*$",
    re.IGNORECASE,
)
LEADING_RE = re.compile(
    r"^(?:note\s*:\s*)?(?:(?:for|to|of|the|our|all|every|each|most|members|of|in|enrolled|with|and|or|"
    r"including|includes|excluding|except|both|any)\s+)+",
    re.IGNORECASE,
)
#: Words that make a phrase a list of employer groups, not a line of business.
GROUP_WORDS = {
    "group",
    "groups",
    "employer",
    "employers",
    "employer-sponsored",
    "sponsored",
    "large",
    "small",
    "size",
    "every",
    "of",
}
#: Words that say a phrase is about the individual market.
INDIVIDUAL_WORDS = {
    "individual",
    "family",
    "families",
    "aca",
    "affordable",
    "care",
    "act",
    "under-65",
    "under",
    "65",
    "on",
    "off",
    "and",
    "plans",
    "plan",
    "the",
    "exchange",
    "exchanges",
    "bought",
    "directly",
    "or",
    "marketplace",
    "state",
    "through",
    "from",
    "purchased",
}


#: Words of a payer's name that do not name it ("Contoso Health Plan" is "Contoso").
PAYER_FILLER = {
    "health",
    "plan",
    "plans",
    "healthcare",
    "insurance",
    "company",
    "inc",
    "of",
    "the",
    "and",
    "blue",
    "cross",
    "shield",
    "care",
    "network",
    "group",
    "mutual",
    "medical",
    "services",
}


@dataclass(frozen=True)
class Lob:
    """A named line of business with the segment its words imply (None: not stated)."""

    name: str
    stated: str
    segments: tuple[Segment, ...] = ()
    payer: Optional[str] = None  # a payer the phrase names ("Contoso State Health Plan (Medicaid)")
    generic: bool = False
    default: bool = False  # the phrase names only a market ("fully insured", "individual plans"), not a line


#: Phrases whose line of business ``LobNamer.name`` remembers (a document repeats its lines' names).
NAMES_KEPT = 1 << 14


class LobNamer(LobTerms):
    """Names the line of business a phrase states (``name``), from the terms ``LobTerms`` finds."""

    def __init__(self, vocab: Vocabulary, annotate: Annotator):
        super().__init__(vocab, annotate)
        self._names: dict[tuple[str, Optional[str], bool], Optional[Lob]] = {}

    def _acronym_of(self, inner: str, outer: str) -> bool:
        letters = re.sub(r"[^A-Za-z]", "", inner)
        if not letters or len(letters) < 2 or not inner.replace("-", "").replace(" ", "").isalpha():
            return False
        words = [w for w in re.split(r"[\s-]+", normalize(outer)) if w]
        initials = "".join(w[0] for w in words if w[:1].isupper())
        initials_all = "".join(w[0] for w in words)
        return letters.upper() in (initials.upper(), initials_all.upper()) or (
            len(letters) >= 2 and letters.upper() in initials.upper() and initials.upper().endswith(letters.upper())
        )

    # -- naming ----------------------------------------------------------------------------------
    def name(self, stated: str, doc_payer: Optional[str] = None, in_table: bool = False) -> Optional[Lob]:
        """The line of business a phrase names, or None when it names only funding/group words.
        Remembered per phrase (``name`` reads only the vocabulary); each call gets its own ``Lob``,
        since callers tell two mentions of one line apart by identity."""
        key = (stated, doc_payer, in_table)
        if key not in self._names:
            if len(self._names) >= NAMES_KEPT:
                self._names.clear()
            self._names[key] = self._name(stated, doc_payer, in_table)
        lob = self._names[key]
        return replace(lob) if lob is not None else None

    def _name(self, stated: str, doc_payer: Optional[str], in_table: bool) -> Optional[Lob]:
        text = normalize(stated).strip(" .:;,—–-")
        text = LEADING_RE.sub("", text)
        text = TRAILING_RE.sub("", text).strip(" .:;,")
        if not text:
            return None
        specific = self.specific.get(fold(PAREN_RE.sub("", text)))
        if specific:
            return Lob(specific, stated, tuple(self.segments_in(text)), None, False)
        payer = None
        # parentheses, innermost meaning first
        m = PAREN_RE.search(text)
        while m:
            inner, outer = m.group(1).strip(), text[: m.start()].strip()
            after = text[m.end() :].strip()
            if self.is_plan_types(inner):
                text = f"{outer} {inner} {after}".strip()
            elif self._acronym_of(inner, outer) or re.match(r"^(?:incl|including|formerly|see)\b", inner, re.I):
                text = f"{outer} {after}".strip()
            else:
                inner_generic = self.generic_name(inner)
                outer_core, outer_payer = self._strip_payer(outer, doc_payer, any_payer=True)
                outer_generic = self.generic_name(outer_core)
                named_product = not outer_generic and self._has_generic_token(outer_core)
                if (
                    inner_generic
                    and not named_product
                    and (not outer_generic or outer_generic == inner_generic)
                    and not after
                ):
                    payer = outer_payer or (self._payer_named(outer) if not outer_generic else None)
                    text = inner
                else:
                    text = f"{outer} {after}".strip()
            m = PAREN_RE.search(text)
        text = re.sub(r"\s+", " ", text).strip(" .:;,")
        segs = self.segments_in(text)
        core = self.segment_re.sub(" ", text)
        core = re.sub(r"\s+", " ", core).strip(" .:;,—–-")
        core = TRAILING_RE.sub("", core).strip(" .:;,")
        core, stripped_payer = self._strip_payer(core, doc_payer)
        words = set(fold(core).split())
        if not core or words <= GROUP_WORDS:
            # "Group fully insured", "fully insured employer groups": the employer-group market
            if not segs:
                segs = [Segment.GROUP]
            return Lob("Commercial", stated, tuple(segs), payer, True, default="commercial" not in words)
        generic = self.generic_name(core)
        if (
            generic
            and self.implied.get(generic) is Segment.INDIVIDUAL
            and fold(core) not in (fold("Marketplace"), fold("Health Insurance Marketplace"), fold("exchange"))
        ):
            return Lob("Commercial", stated, (Segment.INDIVIDUAL,), payer, True, default=True)
        if not generic and words <= INDIVIDUAL_WORDS and (words & {"individual", "aca"} or Segment.INDIVIDUAL in segs):
            return Lob("Commercial", stated, (Segment.INDIVIDUAL,), payer, True, default=True)
        specific = self.specific.get(fold(core))
        if specific:
            return Lob(specific, stated, tuple(segs), payer, False)
        brand = self._medicare_brand(core)
        if brand and not generic:
            return Lob(brand, stated, tuple(segs), payer, True)
        named = self._payer_named(core)
        if named is not None:
            if named == doc_payer and not in_table:
                return None  # "Northwind members": all of the payer's members, no line named
            payer = payer or named
        if (generic and fold(core) == fold(generic)) or (generic and stripped_payer):
            core = generic if fold(core) == fold(generic) else core
        implied = self.implied.get(generic or "")
        if implied and not segs:
            segs = [implied]
        core = self._case_generic_start(core)
        return Lob(core, stated, tuple(segs), payer, bool(generic))

    def _medicare_brand(self, text: str) -> Optional[str]:
        """ "BlueMedicare HMO and PPO", "SeniorMedicare PPO": a brand fused with "Medicare" and sold as
        HMO/PPO plans is the Medicare Advantage line (Medicare itself has no HMO or PPO plans)."""
        words = fold(text).split()
        if len(words) < 2 or words[0] == "medicare" or "medicare" not in words[0]:
            return None
        if not self.is_plan_types(" ".join(words[1:])):
            return None
        return self.generic.get("medicare advantage")

    def _case_generic_start(self, text: str) -> str:
        """ "commercial non-HMO" → "Commercial non-HMO": a generic term keeps the vocabulary's spelling."""
        for m in self.annotate(text).of("LOB"):
            if m.start == 0 and m.generic and fold(m.text) == fold(m.canonical):
                return m.canonical + text[m.end :]
        return text

    def _has_generic_token(self, text: str) -> bool:
        """ "Blue Cross Community MMAI", "Priority Medicare": a product named with a generic term in it."""
        return any(m.generic for m in self.annotate(text).of("LOB"))

    def _strip_payer(self, text: str, doc_payer: Optional[str], any_payer: bool = False) -> tuple[str, Optional[str]]:
        """Drop a payer name in front of a generic term: "Northwind Medicare Advantage" → "Medicare Advantage"."""
        ann = self.annotate(text)
        for p in ann.of("PAYER"):
            if p.start > 1:
                continue
            if not any_payer and doc_payer and p.canonical != doc_payer:
                continue
            rest = text[p.end :].strip(" '’s")
            rest = re.sub(r"^(?:'s|’s)\s+", "", rest)
            if rest and (self.generic_name(rest) or any_payer):
                return rest, p.canonical
        if doc_payer and not self.annotate(doc_payer).of("PAYER"):
            # a payer the vocabulary does not know, named by its own words: "Contoso commercial" in a
            # document of "Contoso Health Plan" (a known payer's products are the vocabulary's to name)
            own = set(fold(doc_payer).split()) - PAYER_FILLER
            words = text.split()
            k = 0
            while k < len(words) - 1 and fold(words[k]) in own:
                k += 1
            rest = " ".join(words[k:])
            if k and self.generic_name(rest):
                return rest, doc_payer
        return text, None


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
