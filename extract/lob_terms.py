"""The vocabulary's line-of-business terms as a reader finds them in text: plan types ("HMO and
POS"), generic lines ("Medicare Advantage HMO and PPO"), funding segments ("self-funded (ASO)
groups"), a payer named whole, and lists of lines split into their parts ("A, B and C", keeping
"Commercial HMO and POS" and "Northwind and Fabrikam Medicare Advantage" whole). Naming a phrase's
line of business from these pieces is ``lob.py``'s job.
"""

from __future__ import annotations

import re
from typing import Optional

from .model import Segment
from .nlp import Annotator
from .prefilter import prefilter_module, prefiltered
from .text import fold, normalize
from .vocabulary import Vocabulary

PAREN_RE = re.compile(r"\s*\(([^()]*)\)")
#: "and" joins two lines unless the right side is only plan types ("HMO and POS") or the left is
#: a bare name qualifying the right's generic term ("Northwind and Fabrikam Medicare Advantage").
SPLIT_RE = re.compile(r"\s*;\s*|\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*(?=[A-Z][a-z])")


class LobTerms:
    """The terms of lines of business, segments and plan types, and the splitting of lists of lines."""

    def __init__(self, vocab: Vocabulary, annotate: Annotator):
        self.vocab = vocab
        self.annotate = annotate
        self.plan_types = {fold(p) for p in vocab.plan_types}
        self.generic = {
            fold(n): lob.name for lob in vocab.lines_of_business if lob.payer is None for n in lob.all_names()
        }
        self.specific = {
            fold(n): lob.name for lob in vocab.lines_of_business if lob.payer is not None for n in lob.all_names()
        }
        self.implied = {lob.name: Segment(lob.segment) for lob in vocab.lines_of_business if lob.segment}
        seg_pairs = sorted(((p, Segment(s)) for s, ps in vocab.segments.items() for p in ps), key=lambda x: -len(x[0]))
        self.segment_re = prefiltered(
            r"(?<![\w-])(" + "|".join(re.escape(p).replace("\\-", r"\s*-\s*") for p, _ in seg_pairs) + r")(?![\w-])",
            re.IGNORECASE,
        )
        self.segment_of = {fold(p): s for p, s in seg_pairs}

    # -- pieces ----------------------------------------------------------------------------------
    def is_plan_types(self, text: str) -> bool:
        words = [w for w in re.split(r"[\s,/]+|\band\b|\bor\b", fold(text).replace(" and ", " , ")) if w]
        joined = fold(text)
        return bool(words) and (joined in self.plan_types or all(w in self.plan_types for w in words))

    def generic_name(self, text: str) -> Optional[str]:
        """The generic line a phrase is, exactly (plan types after it allowed): "Medicare Advantage HMO and PPO"."""
        f = fold(text)
        if f in self.generic:
            return self.generic[f]
        for term, name in sorted(self.generic.items(), key=lambda kv: -len(kv[0])):
            if f.startswith(term + " ") and self.is_plan_types(f[len(term) + 1 :]):
                return name
        return None

    def segments_in(self, text: str) -> list[Segment]:
        """Segments a phrase names; "self-funded (ASO) groups" is self-funded, not also "group"."""
        found: list[Segment] = []
        t = normalize(text)
        last_funding_end = None
        for m in self.segment_re.finditer(t):
            seg = self.segment_of[fold(m.group(1))]
            if (
                seg is Segment.GROUP
                and last_funding_end is not None
                and re.fullmatch(r"[\s(),A-Za-z]{0,14}", t[last_funding_end : m.start()])
                and not re.search(r"\band\b", t[last_funding_end : m.start()])
            ):
                continue
            if seg is not Segment.GROUP:
                last_funding_end = m.end()
            if seg not in found:
                found.append(seg)
        return found

    def _payer_named(self, text: str) -> Optional[str]:
        ann = self.annotate(text)
        p = ann.first("PAYER")
        return p.canonical if p and fold(p.text) == fold(text) else None

    # -- lists -----------------------------------------------------------------------------------
    def split(self, phrase: str) -> list[str]:
        """Split "A, B and C" into the lines it lists, keeping "Commercial HMO and POS" and
        "Northwind and Fabrikam Medicare Advantage" whole, and parentheses intact. Each part
        is a verbatim substring of ``phrase``."""
        masked = re.sub(r"\([^()]*\)", lambda m: "\x00" * len(m.group(0)), phrase)
        spans: list[list[int]] = []
        pos = 0
        for m in SPLIT_RE.finditer(masked):
            spans.append([pos, m.start()])
            pos = m.end()
        spans.append([pos, len(phrase)])
        spans = [sp for sp in spans if phrase[sp[0] : sp[1]].strip()]
        merged: list[list[int]] = []
        for sp in spans:
            text = phrase[sp[0] : sp[1]].strip()
            if merged and (self.is_plan_types(text) or not self._starts_like_lob(text)):
                merged[-1][1] = sp[1]
                continue
            merged.append(sp)
        # a payer's brand before a generic term qualifies it: "Northwind and Fabrikam Medicare Advantage"
        out: list[list[int]] = []
        join_next = False
        for i, sp in enumerate(merged):
            text = phrase[sp[0] : sp[1]].strip()
            if join_next:
                out[-1][1] = sp[1]
                join_next = False
                continue
            nxt = phrase[merged[i + 1][0] : merged[i + 1][1]] if i + 1 < len(merged) else None
            out.append(list(sp))
            if nxt and not self._has_lob_term(text) and self._payer_named(text) and self._ends_with_generic(nxt):
                join_next = True
        return [phrase[a:b].strip() for a, b in out]

    def _starts_like_lob(self, text: str) -> bool:
        """A list part that can stand alone: a capitalised name or a line-of-business word first."""
        if text[:1].isupper() or text[:1].isdigit():
            return True
        first = [m for m in self.annotate(text).of("LOB", "PLANTYPE") if m.start == 0]
        return bool(first) or bool(
            re.match(r"(?:individual|commercial|medicare|medicaid|group|fully|self)", text, re.I)
        )

    def _has_lob_term(self, text: str) -> bool:
        return bool(self.annotate(text).of("LOB", "PLANTYPE")) or bool(self.segments_in(text))

    def _ends_with_generic(self, text: str) -> bool:
        t = PAREN_RE.sub("", normalize(text)).strip()
        return any(fold(t).endswith(term) for term in self.generic if len(term) > 3)


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
