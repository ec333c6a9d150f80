"""When two wordings name one service, and when two vendor references are one vendor.

Names are compared by their content words (stemmed, program filler dropped): "molecular and genomic
tests" and "molecular and genomic testing" are one service; "advanced imaging" is within
"advanced imaging and cardiology" only when the longer name does not join two services with "and".
"""

from __future__ import annotations

import functools
import re
from typing import Optional

from .drafts import VendorRef
from .text import fold


def same_vendor(a: Optional[VendorRef], b: Optional[VendorRef], none_ok: bool = False) -> bool:
    if a is None or b is None:
        return none_ok or a is b
    return a.name == b.name


#: Words that do not tell two services apart ("musculoskeletal care" is "musculoskeletal").
SERVICE_FILLER = {
    "and",
    "or",
    "the",
    "of",
    "for",
    "services",
    "service",
    "program",
    "programs",
    "care",
    "management",
    "procedures",
    "procedure",
    "outpatient",
    "requests",
    "review",
    "reviews",
}


def stem(t: str) -> str:
    if len(t) > 6 and t.endswith("ing"):
        return t[:-3]  # "testing" and "tests" name one service
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
        return t[:-1]
    return t


#: names whose words are kept (a long list compares each new item with every earlier one)
TOKENS_CACHED = 1 << 16


@functools.lru_cache(maxsize=TOKENS_CACHED)
def tokens(name: str) -> frozenset[str]:
    return frozenset(stem(t) for t in fold(name).split()) - SERVICE_FILLER


def similar(a: str, b: str) -> bool:
    """Two names of one service: one's words contain the other's (unless the longer one joins two
    services with "and"), or they share most of them."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return fold(a) == fold(b)
    if ta == tb:
        return True
    if ta < tb:
        return " and " not in f" {fold(b)} "
    if tb < ta:
        return " and " not in f" {fold(a)} "
    return len(ta & tb) / len(ta | tb) >= 0.75


JOIN_RE = re.compile(r",|\band\b")


@functools.lru_cache(maxsize=TOKENS_CACHED)
def _joins(name: str) -> bool:
    """Does the name join several ("A, B and C")?"""
    return JOIN_RE.search(fold(name)) is not None


def compound(name: str, others: list[str]) -> bool:
    """A name that sums up others: "Advanced imaging and musculoskeletal programs" when "advanced
    imaging" and "musculoskeletal" are listed; "imaging, surgery and sleep programs" beside
    "advanced imaging", "hip, knee and spine surgery" and "widget studies"."""
    t = tokens(name)
    if not t or not _joins(name):
        return False
    parts = [tokens(o) for o in others if fold(o) != fold(name) and tokens(o) and tokens(o) & t and not t <= tokens(o)]
    return len(parts) >= 2 and set().union(*parts) >= t - {"advanced", "specialty"}
