"""Matching extracted rules against hand-written golden rules, the way a reviewer reads them.

A golden row and an extracted row match when the vendor, line of business, segment and scope
agree (after normalisation, or one of the golden row's accepted alternatives: ``lob_alt``,
``segment_alt``, ``scope_alt``) and the services share most of their words (the golden
``service`` or one of its ``service_aliases``). Rows are paired most-similar first, each used
once. A golden row marked ``optional`` is neither required nor a false positive when extracted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Two service names are the same service at this share of their content words.
SERVICE_MATCH = 0.6
_FILLER = {
    "for",
    "and",
    "the",
    "of",
    "a",
    "an",
    "in",
    "to",
    "with",
    "by",
    "on",
    "or",
    "service",
    "services",
    "procedure",
    "procedures",
    "program",
    "programs",
    "management",
    "outpatient",
    "request",
    "requests",
}
_LOB_NOISE = re.compile(r"\b(?:members?|plans?|products?|coverage)\b")


def norm(text) -> str:
    text = re.sub(r"(?<=[a-z0-9])SM\b", "", str(text or ""))
    text = re.sub(r"[®™℠©]", "", text).lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def service_tokens(name) -> frozenset:
    return frozenset(_stem(w) for w in norm(name).split() if w not in _FILLER)


def service_similarity(names: list[str], name: str) -> float:
    p = service_tokens(name)
    best = 0.0
    for g in names:
        t = service_tokens(g)
        if t and p:
            best = max(best, len(t & p) / max(len(t), len(p)))
    return best


def lob_key(text) -> str:
    return " ".join(_LOB_NOISE.sub(" ", norm(text)).split())


def vendor_key(vendor, payer) -> str:
    """The payer's own staff count as one vendor whatever the document calls them."""
    v = norm(vendor)
    if payer and (v == norm(payer) or v.startswith(norm(payer))):
        return "(in-house)"
    return v


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load(path: Path) -> list[dict]:
    assert path.exists(), f"missing golden file {path}: a missing golden fails, it is never generated here"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _accepts(g: dict, key: str, alt: str, value, fn) -> bool:
    if g.get(key) is None and key in ("line_of_business",):
        return True
    return fn(value) in {fn(g.get(key))} | {fn(x) for x in g.get(alt, []) or []}


def score(gold: list[dict], rows: list[dict]) -> Score:
    cands = []
    for i, g in enumerate(gold):
        names = [g["service"], *(g.get("service_aliases", []) or [])]
        gv = vendor_key(g["vendor"], g.get("payer"))
        for j, r in enumerate(rows):
            if vendor_key(r["vendor"], r.get("payer")) != gv:
                continue
            if not _accepts(g, "line_of_business", "lob_alt", r["line_of_business"], lob_key):
                continue
            if not _accepts(g, "segment", "segment_alt", r["segment"], str):
                continue
            if not _accepts(g, "scope", "scope_alt", r["scope"], str):
                continue
            sim = service_similarity(names, r["service"])
            if sim >= SERVICE_MATCH:
                # at equal service similarity a golden row of the same requirement comes first ("surgical
                # services … required" is not the golden "non-surgical services … not required"), then one
                # that names the line before one that accepts any
                cands.append(
                    (-sim, g.get("requirement") != r.get("requirement"), g.get("line_of_business") is None, i, j)
                )
    used_g, used_r = set(), set()
    for *_, i, j in sorted(cands):
        if i not in used_g and j not in used_r:
            used_g.add(i)
            used_r.add(j)
    s = Score()
    s.tp = sum(1 for i in used_g if not gold[i].get("optional"))
    on_optional = len(used_g) - s.tp
    s.fp = len(rows) - len(used_r)
    s.fn = sum(1 for i, g in enumerate(gold) if i not in used_g and not g.get("optional"))
    s.missing = [gold[i] for i in range(len(gold)) if i not in used_g and not gold[i].get("optional")]
    s.extra = [rows[j] for j in range(len(rows)) if j not in used_r]
    del on_optional
    return s
