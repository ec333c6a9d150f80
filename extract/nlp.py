"""The spaCy pipeline: a blank English model with rule components built from the vocabulary.

* ``entity_ruler`` (phrase patterns, case-insensitive) labels PAYER, VENDOR, DEPT, PORTAL,
  NOTVENDOR, LOB, GROUP and SERVICE mentions; each pattern's ``id`` is the canonical name, so a
  matched span's ``ent_id_`` is already resolved (aliases and renames included).
* a ``Matcher`` labels the language of delegation and scope: "makes authorization
  determinations", "manages authorizations", "administers the program", "provides these
  services", "doesn't provide services for", "does NOT apply", "only", "Exception(s):",
  "Includes".

Text is normalised first (trademark marks and footnote markers dropped) because the marks split
tokens ("BlueSM"); quotes are always taken from the original text, never from this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import Matcher

from .vocabulary import Vocabulary, normalize

AUTH = {"authorization", "authorizations", "pre-authorization", "preauthorization", "pre-approval", "preapproval"}
MAKE = {"make", "makes", "making", "made"}
MANAGE = {"manage", "manages", "managed", "managing", "handle", "handles", "handled", "review", "reviews", "reviewed"}
ADMIN = {"administer", "administers", "administered", "administering", "run", "runs", "operates"}
PROVIDE = {"provide", "provides", "provided", "offer", "offers", "offered"}
ACCEPT = {"accept", "accepts", "accepting", "process", "processes"}

DELEGATION_PATTERNS = {
    "DETERMINES": [[{"LOWER": {"IN": sorted(MAKE)}}, {"LOWER": {"IN": ["prior", "the"]}, "OP": "?"},
                    {"LOWER": {"IN": sorted(AUTH)}}, {"LOWER": {"IN": ["determinations", "decisions"]}}]],
    "MANAGES": [[{"LOWER": {"IN": sorted(MANAGE)}}, {"LOWER": {"IN": ["prior", "the"]}, "OP": "?"},
                 {"LOWER": {"IN": sorted(AUTH | {"requests"})}}],
                [{"LOWER": {"IN": ["are", "is"]}}, {"LOWER": {"IN": ["managed", "handled", "reviewed"]}}, {"LOWER": "by"}]],
    "ADMINISTERS": [[{"LOWER": {"IN": sorted(ADMIN)}}, {"LOWER": {"IN": ["the", "this", "our"]}, "OP": "?"},
                     {"LOWER": {"IN": ["program", "programs"]}}],
                    [{"LOWER": {"IN": ["is", "are"]}}, {"LOWER": "administered"}, {"LOWER": "by"}]],
    "PROVIDES": [[{"LOWER": {"IN": sorted(PROVIDE)}}, {"LOWER": {"IN": ["these", "this", "the"]}, "OP": "?"},
                  {"LOWER": {"IN": ["services", "service", "program", "programs"]}}]],
    "ACCEPTS": [[{"LOWER": {"IN": sorted(ACCEPT)}}, {"OP": "?"}, {"OP": "?"}, {"OP": "?"},
                 {"LOWER": "prior"}, {"LOWER": "authorization"}, {"LOWER": "requests"}],
                [{"LOWER": {"IN": sorted(ACCEPT)}}, {"IS_TITLE": True}, {"IS_TITLE": True, "OP": "?"},
                 {"LOWER": "requests"}]],
    "NEGATED": [[{"LOWER": {"IN": ["does", "do", "is", "are"]}}, {"LOWER": {"IN": ["not", "n't"]}},
                 {"LOWER": {"IN": ["provide", "apply", "required", "part", "manage", "cover"]}}],
                [{"LOWER": {"IN": ["doesn't", "don't", "isn't", "aren't"]}},
                 {"LOWER": {"IN": ["provide", "apply", "required", "part", "manage", "cover"]}}],
                [{"LOWER": "not"}, {"LOWER": {"IN": ["required", "covered", "included"]}}]],
    "REQUIRES": [[{"LOWER": {"IN": ["require", "requires"]}}, {"LOWER": {"IN": ["new", "a", "an", "the"]}, "OP": "?"},
                  {"LOWER": {"IN": ["prior", "pre"]}, "OP": "?"},
                  {"LOWER": {"IN": sorted(AUTH | {"precertification", "notification", "authorization"})}}],
                 [{"LOWER": {"IN": ["prior", "pre"]}, "OP": "?"}, {"LOWER": {"IN": sorted(AUTH | {"precertification", "notification"})}},
                  {"LOWER": {"IN": ["is", "are"]}}, {"LOWER": {"IN": ["required", "needed"]}}]],
    "EXCEPTION": [[{"LOWER": {"IN": ["exception", "exceptions"]}}, {"ORTH": ":"}]],
    "INCLUDES": [[{"LOWER": {"IN": ["includes", "including"]}}]],
    "ONLY": [[{"LOWER": "only"}]],
}


@dataclass(frozen=True)
class Mention:
    label: str
    canonical: str
    surface: str
    start: int  # character offsets in the *normalised* text
    end: int


@dataclass(frozen=True)
class Annotated:
    text: str  # normalised
    mentions: tuple[Mention, ...]
    cues: tuple[tuple[str, int, int], ...]  # (matcher label, start char, end char)

    def of(self, *labels: str) -> list[Mention]:
        return [m for m in self.mentions if m.label in labels]

    def has(self, *cue_labels: str) -> bool:
        return any(c[0] in cue_labels for c in self.cues)

    def cue_start(self, label: str) -> int | None:
        return next((c[1] for c in self.cues if c[0] == label), None)


class Annotator:
    """Build once per vocabulary; call on text. Results are cached by text."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.nlp = spacy.blank("en")
        ruler = self.nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
        patterns = []
        for label, pairs in vocab.phrases().items():
            for surface, canonical in pairs:
                if surface:
                    patterns.append({"label": label, "pattern": surface, "id": canonical})
        ruler.add_patterns(patterns)
        self._canon = {label: dict(pairs) for label, pairs in vocab.phrases().items()}
        self.matcher = Matcher(self.nlp.vocab)
        for label, pats in DELEGATION_PATTERNS.items():
            self.matcher.add(label, pats)
        self.annotate = lru_cache(maxsize=20000)(self._annotate)

    def _annotate(self, raw: str) -> Annotated:
        text = normalize(raw)
        doc = self.nlp(text)
        mentions = tuple(
            Mention(e.label_, e.ent_id_ or self._canon.get(e.label_, {}).get(e.text.lower(), e.text), e.text,
                    e.start_char, e.end_char)
            for e in doc.ents
        )
        cues = tuple(sorted((self.nlp.vocab.strings[mid], doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
                            for mid, s, e in self.matcher(doc)))
        return Annotated(text, mentions, tuple(sorted(cues, key=lambda c: c[1])))

    def __call__(self, raw: str) -> Annotated:
        return self.annotate(raw)
