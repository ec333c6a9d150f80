"""The spaCy pipeline: a blank English tokenizer and phrase matchers built from the vocabulary.

Two ``PhraseMatcher``s label PAYER, VENDOR, DEPT, PORTAL, NOTVENDOR, LOB, GROUP, SERVICE, STATE
and PLANTYPE mentions: one compares lower-cased tokens, the other the exact spelling of short
upper-case acronyms ("MA", "HMO", "ASO", "SNP"), which would otherwise match ordinary words.
Each pattern's id is the canonical name, so a mention is already resolved (aliases and renames
included). Text is normalised first (trademark marks and footnote markers dropped, because they
split tokens: "BlueSM", "Yes*"), and every mention is mapped back to offsets in the original
text, so quotes and explanations point at what the document says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import PhraseMatcher

from ingest.assemble import split_points

from .text import Normalized, normalize, normalize_map
from .vocabulary import Vocabulary

#: An alias this short and all in capitals is matched case-sensitively ("MA" yes, "ma" no).
ACRONYM_MAX_LEN = 6
#: spaCy refuses longer texts; blocks are annotated in slices of at most this many characters.
MAX_SLICE = 200_000
#: A run of more characters than this without a space is no word of the vocabulary (the longest token
#: in the seeds and the devset has 81): it is blanked before tokenizing, because spaCy strips a
#: token's prefixes and suffixes one at a time, searching the whole token each time — quadratic in
#: its length (20,000 characters of "**a" took a minute).
MAX_TOKEN_CHARS = 200
LONG_RUN_RE = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN_CHARS + 1},}}")  # from a run's start only: linear
LABELS = ("PAYER", "VENDOR", "DEPT", "PORTAL", "NOTVENDOR", "LOB", "GROUP", "SERVICE", "STATE", "PLANTYPE")


@dataclass(frozen=True)
class Mention:
    """A vocabulary term found in a text: ``start``/``end`` are offsets in the original text."""

    label: str
    canonical: str
    start: int
    end: int
    text: str
    generic: bool = False  # a generic line-of-business term, not one payer's product


@dataclass(frozen=True)
class Annotated:
    raw: str
    mentions: tuple[Mention, ...]

    def of(self, *labels: str) -> list[Mention]:
        return [m for m in self.mentions if m.label in labels]

    def first(self, *labels: str) -> Mention | None:
        return next((m for m in self.mentions if m.label in labels), None)


def _is_acronym(surface: str) -> bool:
    letters = [c for c in surface if c.isalpha()]
    return (
        bool(letters) and len(surface) <= ACRONYM_MAX_LEN and all(c.isupper() for c in letters) and " " not in surface
    )


class Annotator:
    """Build once per vocabulary; call on text. Results are cached by text."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.nlp = spacy.blank("en")
        self.nlp.max_length = MAX_SLICE + 1000
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._ids: dict[int, tuple[str, str, bool]] = {}
        for label, pairs in self._phrases().items():
            for surface, canonical, generic in pairs:
                if not surface.strip():
                    continue
                key = f"{label}\x1f{canonical}\x1f{int(generic)}"
                match_id = self.nlp.vocab.strings.add(key)
                self._ids[match_id] = (label, canonical, generic)
                matcher = self.exact if _is_acronym(surface) else self.lower
                matcher.add(key, [self.nlp.make_doc(surface)])
        self.annotate = lru_cache(maxsize=50_000)(self._annotate)

    def _phrases(self) -> dict[str, list[tuple[str, str, bool]]]:
        v = self.vocab
        out: dict[str, list[tuple[str, str, bool]]] = {label: [] for label in LABELS}
        for label, items in (
            ("PAYER", v.payers),
            ("VENDOR", v.vendors),
            ("DEPT", v.departments),
            ("GROUP", v.employer_groups),
            ("SERVICE", v.services),
        ):
            out[label] += [(normalize(n), it.name, False) for it in items for n in it.all_names()]
        out["LOB"] = [
            (normalize(n), lob.name, lob.payer is None) for lob in v.lines_of_business for n in lob.all_names()
        ]
        out["PORTAL"] = [(normalize(p), vend.name, False) for vend in v.vendors for p in vend.portals]
        out["NOTVENDOR"] = [(normalize(n), n, False) for n in v.not_vendors]
        out["STATE"] = [(s.name, s.name, False) for s in v.states]
        out["PLANTYPE"] = [(p, p, False) for p in v.plan_types]
        return out

    def _annotate(self, raw: str) -> Annotated:
        mentions: list[Mention] = []
        for offset, end in split_points(raw, MAX_SLICE):  # cut at sentence ends or spaces, never in a word
            part = raw[offset:end]
            norm = normalize_map(part)
            mentions += [
                Mention(
                    m.label,
                    m.canonical,
                    m.start + offset,
                    m.end + offset,
                    raw[m.start + offset : m.end + offset],
                    m.generic,
                )
                for m in self._match(norm, part)
            ]
        return Annotated(raw, tuple(sorted(mentions, key=lambda m: (m.start, -m.end))))

    def _match(self, norm: Normalized, part: str) -> list[Mention]:
        doc = self.nlp.make_doc(LONG_RUN_RE.sub(lambda m: " " * len(m.group()), norm.text))  # same offsets
        found: dict[tuple[str, int, int], Mention] = {}
        for match_id, s, e in list(self.lower(doc)) + list(self.exact(doc)):
            label, canonical, generic = self._ids[match_id]
            span = doc[s:e]
            a, b = norm.span(span.start_char, span.end_char)
            found.setdefault((label, a, b), Mention(label, canonical, a, b, part[a:b], generic))
        # within one label, a mention inside a longer one of the same label is dropped
        out = []
        for label in {m.label for m in found.values()}:
            reach = -1
            for m in sorted((m for m in found.values() if m.label == label), key=lambda m: (m.start, -m.end)):
                if m.end <= reach:
                    continue
                reach = max(reach, m.end)
                out.append(m)
        return out

    def __call__(self, raw: str) -> Annotated:
        return self.annotate(raw)
