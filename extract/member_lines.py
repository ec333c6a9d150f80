"""Where a text names lines of business: does a phrase name one (``lobish``), and which lines a
sentence names, with their spans (``in_sentence``): "for X and Y members", "members enrolled in X
plans", "to all X members and to Y members", "are outside this program: A, B and C".

A name is found by walking left from the word that closes it ("members", "plans", "coverage")
over capitalised words and line-of-business words, and right over plan types and a brand. What a
unit of members states about those lines is ``members.py``'s job.
"""

from __future__ import annotations

import re
from typing import Optional

from .lob import Lob, LobNamer
from .nlp import Annotator
from .patterns import LABEL_MAX_WORDS, VERB_RE
from .prefilter import prefilter_module
from .text import PrefixMatches, fold, normalize

#: lower-case words that close a line-of-business phrase ("… Medicaid members", "… PPO plans"); a
#: capitalised "Plan" belongs to a name ("Zephyr Advantage Health Plan")
ANCHOR_RE = re.compile(
    r"\b(?:members?|enrollees|beneficiaries|subscribers|plans?|coverage|products?|policies|"
    r"policyholders|lines?\s+of\s+business|employees|retirees|population)\b"
)
#: words that may sit inside a line-of-business phrase although they are lower case
LOB_LOWER_WORDS = {
    "commercial",
    "individual",
    "medicare",
    "medicaid",
    "advantage",
    "supplement",
    "non-hmo",
    "and",
    "group",
    "fully",
    "insured",
    "self-funded",
    "self-insured",
    "funded",
    "employer",
    "family",
    "aca",
    "marketplace",
    "exchange",
    "retiree",
    "of",
    "under-65",
    "dual",
    "eligible",
    "managed",
    "care",
}
STOP_LEFT = {
    "for",
    "to",
    "of",
    "in",
    "with",
    "the",
    "our",
    "all",
    "most",
    "some",
    "select",
    "every",
    "each",
    "any",
    "members",
    "member",
    "enrolled",
    "who",
    "whose",
    "are",
    "is",
    "by",
    "from",
    "on",
    "at",
    "as",
    "their",
    "these",
    "those",
    "plan",
    "plans",
    "both",
    "either",
    "certain",
    "pregnant",
    "eligible",
    "new",
    "other",
    "your",
    "its",
    "that",
    "include",
    "includes",
    "including",
    "except",
    "not",
    "a",
    "an",
}
#: A service word inside a name makes it a program, not a line ("Medicare Advantage High Tech Radiology …").
SERVICE_WORD_RE = re.compile(
    r"\b(?:radiology|imaging|oncology|cardiology|therapy|surgery|sleep|disorder|testing|"
    r"diagnostics)\b",
    re.IGNORECASE,
)
#: The words, parenthesised asides and commas a name is walked over (``LineFinder._walk_left``).
NAME_TOKEN_RE = re.compile(r"\([^()]*\)|[\w'’./&+-]+|,")
#: Capitalised only because they begin a sentence ("For …", "All …"): never part of a name.
FUNCTION_WORDS = (STOP_LEFT - {"plan", "plans", "members", "member", "and", "of", "other"}) | {
    "qualified",
    "adult",
    "adults",
    "current",
    "existing",
    "note",
    "offers",
    "offer",
    "is",
    "are",
    "covered",
}


class LineFinder:
    """Finds the lines of business a phrase or sentence names (the base of ``MemberReader``)."""

    def __init__(self, annotate: Annotator, lobs: LobNamer) -> None:
        self.annotate = annotate
        self.lobs = lobs
        self._tokens = PrefixMatches(NAME_TOKEN_RE)

    def lobish(self, text: str, strict: bool = False) -> bool:
        """Does ``text`` name a line of business (a vocabulary term, a plan type, or — when not
        strict — a short capitalised product name)?"""
        t = normalize(text).strip(" .:;,")
        if (
            not t
            or len(re.sub(r"\([^()]*\)", " ", t).split()) > LABEL_MAX_WORDS
            or VERB_RE.search(t)
            or re.match(r"[\d.,]+[MKBk%+]?\s", t)
            or SERVICE_WORD_RE.search(re.sub(r"\([^()]*\)", " ", t))
        ):
            return False  # a sentence, or a statistic ("25.5M Commercial Memberships")
        ann = self.annotate(t)
        if ann.of("VENDOR", "DEPT", "PORTAL"):
            return False  # "Zephyr Plus and Northwind Utilization Management" names who reviews
        if ann.of("LOB", "PLANTYPE"):
            return True
        if ann.of("SERVICE", "GROUP", "NOTVENDOR") or strict:
            return False
        words = re.findall(r"[A-Za-z][\w'’-]*", re.sub(r"\([^)]*\)", " ", t))
        caps = [w for w in words if w[:1].isupper()]
        return bool(words) and len(caps) >= max(1, len(words) - 1) and len(words) <= 6

    # -- sentences ------------------------------------------------------------------------------------
    def in_sentence(self, text: str, doc_payer: Optional[str] = None) -> list[tuple[Lob, int, int]]:
        """Lines of business a sentence names, with their spans."""
        spans: list[tuple[int, int]] = []
        for m in ANCHOR_RE.finditer(text):
            a = self._walk_left(text, m.start())
            if a is not None and a < m.start():
                spans.append((a, m.start()))
        ann = self.annotate(text)
        for lm in [] if spans else ann.of("LOB"):
            if not any(a <= lm.start < b for a, b in spans):
                a = self._walk_left(text, lm.end)
                a = min(a, lm.start) if a is not None else lm.start
                b = self._walk_right(text, lm.end)
                spans.append((a, b))
        colon = re.search(r"(?:program|programs|requirement|requirements|following|members)\s*:\s*(.+)$", text)
        if colon:
            spans.append((colon.start(1), colon.end(1)))
        spans = _merge(spans)
        out: list[tuple[Lob, int, int]] = []
        for a, b in spans:
            phrase = text[a:b]
            pos = a
            for part in self.lobs.split(phrase):
                lob = self.lobs.name(part, doc_payer)
                start = text.find(part, pos)
                pos = start + len(part) if start >= 0 else pos
                if lob is None:
                    continue
                core = fold(part)
                if not core or (not self.lobish(part) and not lob.segments):
                    continue
                out.append((lob, max(start, a), max(start, a) + len(part)))
        return out

    def _walk_left(self, text: str, end: int) -> Optional[int]:
        """Start of the name ending at ``end``: capitalised words, line-of-business words, parentheses."""
        start = None
        for tok in self._tokens.reversed_before(text, end):
            w = tok.group(0)
            low = w.lower().strip(".,")
            if w.startswith("("):
                start = tok.start()
                continue
            if w == ",":
                if start is None:
                    break
                start = tok.start()
                continue
            if w[:1].isupper():
                if low in ("members", "member", "providers") or low in FUNCTION_WORDS:
                    break
                start = tok.start()
                continue
            if low in STOP_LEFT and not (low in ("and", "of") and start is not None):
                break
            if low in LOB_LOWER_WORDS or self.lobs.is_plan_types(w) or w[:1].isdigit():
                start = tok.start()
                continue
            break
        if start is None:
            return None
        phrase = text[start:end]
        phrase_l = re.sub(r"^(?:,|and|or|of)\s+", "", phrase.strip(), flags=re.I)
        return end - len(phrase_l.rstrip()) - (len(phrase) - len(phrase.rstrip())) if phrase_l else None

    def _walk_right(self, text: str, pos: int) -> int:
        m = re.match(r"(?:\s*\([^()]*\)|\s+(?:HMO|PPO|POS|EPO|PFFS|HSP|D-SNP)\b|\s*/\s*[A-Z]{2,4}\b)*", text[pos:])
        end = pos + (m.end() if m else 0)
        # a product named with the generic term inside it: "Medicare HMO |Blue Plan|", "Medicaid |Plus|"
        brand = re.match(r"(?:\s+(?-i:[A-Z])[\w'’&+-]*){1,3}", text[end:])
        if brand and not any(
            w.lower() in FUNCTION_WORDS or w.lower() in ("members", "member", "providers")
            for w in brand.group(0).split()
        ):
            end += brand.end()
        return end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
