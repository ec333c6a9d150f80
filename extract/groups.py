"""Employer groups and populations a text names: the names an exception or inclusion lists.

"(group 783589)", "State of Ohio", "the X Trust, whose requests are managed by Acme Rx" (a group
with its alternate vendor), "Members who live in Adams, Brown or Warren County" (each county),
"Children in foster care" (one population). Known groups resolve to the vocabulary's names, others
are kept as stated. Pure functions over text plus the vocabulary; ``clauses.py`` reads the
membership language around these names.
"""

from __future__ import annotations

import re
from typing import Optional

from .model import ExceptionRef
from .nlp import Annotator
from .patterns import ADMINISTERED_PLANS_RE, ALT_VENDOR_RE, EXCEPT_RE
from .prefilter import prefilter_module
from .text import normalize
from .vocabulary import Vocabulary

GROUP_NUMBER_RE = re.compile(
    r"\(\s*(?:group|grp\.?)\s*(?:no\.?|number|#)?\s*(\d{3,})\s*\)|\bgroup\s+#?(\d{4,})\b", re.IGNORECASE
)
LIST_SPLIT_RE = re.compile(r"\s*;\s*|,\s*(?:and\s+|or\s+)?|\s+and\s+(?![^()]*\))|\s+or\s+(?![^()]*\))")
#: "… members who have coverage through |the X Trust|", "… members of |X|", "… employees of |X|".
COVERAGE_THROUGH_RE = re.compile(
    r"\b(?:coverage|benefits|insurance)\s+(?:through|from|with)\s+(.+)$|"
    r"\b(?:members|employees|retirees)\s+(?:of|in|from)\s+(?=[A-Z])(.+)$"
)
#: "Members who live in |Adams, Brown or Warren| |County|": places whose residents are left out
PLACE_LIST_RE = re.compile(
    r"^(?:(?:members|people|enrollees|those)\s+(?:who\s+(?:live|reside)\s+in|living\s+in|"
    r"residing\s+in|in)|residents\s+of)?\s*((?-i:[A-Z])[\w.-]*(?:(?:,\s*|\s+|\s*,?\s*(?:and|or)\s+)"
    r"(?-i:[A-Z])[\w.-]*)*)\s+(count(?:y|ies)|parish(?:es)?)$",
    re.IGNORECASE,
)
#: "… plans |sponsored by a former employer| (group retiree members)": how they came to be covered
PARTICIPLE_RE = re.compile(
    r"\s+(?:sponsored|offered|issued|administered|purchased|bought|provided)\s+(?:by|through)\s+[^()]*", re.IGNORECASE
)
ISSUER_RE = re.compile(
    r"^(?:members|those|people)\s+whose\s+(?:plan|coverage|policy|benefits?)\s+(?:is|are)\s+"
    r"(?:issued|offered|administered|provided|sold|underwritten)\s+by\s+(.+)$",
    re.IGNORECASE,
)
#: A population named by what its people are, not by a proper name: kept whole.
POPULATION_HEAD_RE = re.compile(
    r"^(?:children|members|employees|retirees|people|individuals|infants|adults|"
    r"those|residents|patients|enrollees|newborns|women|men)\b",
    re.IGNORECASE,
)
#: Words around a group name that are not part of it ("select Acme Health groups", "the State of X plan").
GROUP_NOISE_RE = re.compile(
    r"^(?:select|certain|some|the|for|all|most|members of|members in|those with|those in|"
    r"those|members(?=\s+(?!whose|who|that|which|with)\S)|plans? of|benefit plans of)\s+|\s+(?:groups?|members?|only|plans?)$",
    re.IGNORECASE,
)
STOPWORDS = {
    "for",
    "the",
    "and",
    "or",
    "of",
    "some",
    "members",
    "non-medicare",
    "with",
    "who",
    "have",
    "through",
    "coverage",
    "a",
    "an",
    "to",
    "in",
    "on",
    "is",
    "are",
    "by",
    "see",
    "row",
    "next",
}


class GroupReader:
    """Reads the groups and populations of a text (``groups_in``, ``population``, ``exception_list``)."""

    def __init__(self, vocab: Vocabulary, annotate: Annotator):
        self.vocab = vocab
        self.annotate = annotate
        self.states = {s.name.lower(): s.name for s in vocab.states}

    def groups_in(self, text: str, with_vendor: bool = False) -> list[ExceptionRef]:
        """Employer groups/populations named in ``text`` (known ones canonical, unknown as stated)."""
        text = normalize(text)
        refs: list[ExceptionRef] = []
        ann = self.annotate(text)
        masked = list(text)
        relative = bool(re.search(r"\b(?:whose|who|that|which)\b", text))
        for m in ann.of("GROUP"):
            refs.append(ExceptionRef(m.canonical))
            masked[m.start : m.end] = " " * (m.end - m.start)
        for num in GROUP_NUMBER_RE.finditer(text):
            number = num.group(1) or num.group(2)
            name = self.vocab.group_by_number(number)
            if name:
                masked[num.start() : num.end()] = " " * (num.end() - num.start())
                refs = [r for r in refs if r.name != name] + [ExceptionRef(name, number)]
        rest = "".join(masked)
        if ALT_VENDOR_RE.search(rest) and not _only_administered(rest):
            # "Requests are managed by Acme Rx for some members who have coverage through the X Trust":
            # the group is what follows "coverage through"; the words around it are the frame
            through = COVERAGE_THROUGH_RE.search(rest)
            rest = ALT_VENDOR_RE.split((through.group(1) or through.group(2)) if through else rest)[0]
            relative = False
        rest = re.sub(r"\((?:see|next|for example|e\.g\.)[^)]*\)", " ", rest, flags=re.IGNORECASE)
        for frag in [rest] if relative else LIST_SPLIT_RE.split(rest):
            frag = frag.strip(" .:;,")
            prev = None
            while prev != frag:
                prev, frag = frag, GROUP_NOISE_RE.sub("", frag).strip(" .:;,")
            if frag.count("(") != frag.count(")"):
                frag = frag.strip("()")
            words = frag.split()
            if not words or len(frag) < 3 or all(w.lower() in STOPWORDS for w in words):
                continue
            if (
                not words[0][:1].isupper()
                and not re.search(r"\b(?:whose|who|that|which)\b", frag)
                and not ADMINISTERED_PLANS_RE.match(frag)
            ):
                continue
            if re.match(r"(?:whose|who|that|which)\b", frag, re.IGNORECASE) and ALT_VENDOR_RE.search(text):
                continue  # ", whose requests are handled by …": the frame, not a group
            number = GROUP_NUMBER_RE.search(frag)
            frag = self.states.get(frag.lower(), frag)
            refs.append(ExceptionRef(frag, (number.group(1) or number.group(2)) if number else None))
        seen, out = set(), []
        for r in refs:
            if r.name not in seen:
                seen.add(r.name)
                out.append(r)
        if with_vendor:
            alt = self.alternate_vendor(text)
            out = [ExceptionRef(r.name, r.group_number, alt, text) for r in out]
        return out

    def population(self, text: str) -> list[ExceptionRef]:
        """The people a sentence leaves out: "Members who live in Adams, Brown or Warren County" (each
        county), "Children in foster care or receiving adoption assistance" (one population), "members
        of Traditional Choice plans and members of the Foreign Service Benefit Plan" (each plan)."""
        text = normalize(text).strip(" .;:,")
        place = PLACE_LIST_RE.match(text)
        if place:
            unit = "County" if place.group(2).lower().startswith("count") else "Parish"
            names = [n.strip() for n in LIST_SPLIT_RE.split(place.group(1)) if n.strip()]
            return [ExceptionRef(f"{n} {unit}") for n in names]
        issuer = ISSUER_RE.match(text)
        if issuer:
            return [ExceptionRef(f"{issuer.group(1)} members")]  # "members whose plan is issued by X"
        text = PARTICIPLE_RE.sub(" ", text).strip()
        if POPULATION_HEAD_RE.match(text) and not re.match(
            r"\w+\s+(?:of|in|with|on|under|enrolled\s+in|covered\s+by)\s+"
            r"(?:the\s+)?(?-i:[A-Z])",
            text,
        ):
            return [ExceptionRef(re.sub(r"\s+", " ", text))]
        return self.groups_in(text)

    def alternate_vendor(self, text: str) -> Optional[str]:
        m = ALT_VENDOR_RE.search(text)
        if not m:
            return None
        after = [v for v in self.annotate(text).of("VENDOR", "DEPT") if v.start >= m.end()]
        if after:
            return after[0].canonical
        name = re.match(r"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)", text[m.end() :])
        return name.group(1).rstrip(".") if name else None

    def exception_list(self, text: str) -> list[ExceptionRef]:
        """Groups of an "Exception(s): …" text, each with its alternate vendor when named."""
        text = EXCEPT_RE.sub("", normalize(text), count=1)
        parts = [p for p in re.split(r"(?<=\.)\s+(?=[A-Z])", text) if p.strip()]
        refs: list[ExceptionRef] = []
        for p in parts:
            alt = ALT_VENDOR_RE.search(p) is not None and not _only_administered(p)
            if not alt and (
                POPULATION_HEAD_RE.match(p.strip())
                or (PLACE_LIST_RE.match(p.strip(" .")) and re.search(r"\bcount(?:y|ies)\b|\bparish", p, re.IGNORECASE))
            ):
                refs.extend(self.population(p))
            else:
                refs.extend(self.groups_in(p, with_vendor=alt))
        return refs


def _only_administered(text: str) -> bool:
    """Every "… by" in ``text`` names who runs a population's plans ("plans administered by X"), none
    an alternate reviewer ("X, whose requests are managed by Y")."""
    return all(
        any(p.end() == m.end() for p in ADMINISTERED_PLANS_RE.finditer(text)) for m in ALT_VENDOR_RE.finditer(text)
    )


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
