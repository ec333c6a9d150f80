"""The regex prefilter (``extract/prefilter.py``): the literals it requires are required — a text
without any of them is never matched by the pattern — so a prefiltered pattern answers exactly as
the pattern does."""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import extract
from conftest import SEEDS
from extract.prefilter import CASE_FIXES, Prefiltered, prefiltered, required_literals, text_key
from ingest import ingest_file


def _extract_patterns() -> list[tuple[str, Prefiltered]]:
    seen: dict[int, tuple[str, Prefiltered]] = {}
    for info in pkgutil.iter_modules(extract.__path__):
        module = importlib.import_module(f"extract.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                value = Prefiltered(value)
            if isinstance(value, Prefiltered) and value.literals is not None:
                seen.setdefault(id(value.regex), (f"{info.name}.{name}", value))
    return list(seen.values())


def test_case_fixes_are_every_non_ascii_letter_ignorecase_matches_to_ascii():
    ascii_letter = re.compile("[a-z]", re.I)
    found = {chr(c) for c in range(128, sys.maxunicode + 1) if ascii_letter.fullmatch(chr(c))}
    assert found == set(CASE_FIXES)
    assert all(re.fullmatch(v, k, re.I) for k, v in CASE_FIXES.items())


def test_required_literals_of_alternations_options_and_classes():
    assert required_literals(r"\b(?:contract(?:ed|s)?|works?)\s+with\b", re.I) == ("with",)
    assert required_literals(r"\bauthori[sz]ation\b", re.I) == ("authorisation", "authorization")
    assert required_literals(r"\b(?:no|not|none)\b") == ("no",)
    assert required_literals(r"Prior\s+Auth") == ("prior",)
    assert required_literals(r"[’']s\b") == ("'s", "’s")
    assert required_literals(r"\s*[A-Z]") == tuple("abcdefghijklmnopqrstuvwxyz")
    assert required_literals(r"\s*[A-Za-z]") == tuple("abcdefghijklmnopqrstuvwxyz")  # case-blind
    assert required_literals(r"\s*[0-9a-z]") is None  # a class of more than MAX_CLASS characters
    assert required_literals(r"\w+") is None
    assert required_literals(r"(?:foo)?bar|") is None  # the empty alternative matches anywhere
    assert required_literals(r"^\s*$") is None


def test_text_key_is_one_character_for_one():
    assert text_key("İstanbul ſoft K") == "istanbul soft k"
    assert text_key("Prior Authorization") == "prior authorization"


def _texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for b in ingest_file(path).blocks:
            texts.append(b.text)
            texts += re.split(r"(?<=[.;:])\s+", b.text)
    rng = random.Random(18)
    words = [w for t in texts for w in t.split()]
    texts = rng.sample(texts, 1000)
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 10))) for _ in range(1000)]
    texts += [t.upper() for t in texts[:300]]
    texts += [t.translate(str.maketrans({"s": "ſ", "k": "\u212a", "i": "ı", "I": "İ"})) for t in texts[:300]]
    return texts


@pytest.mark.slow  # reads the seeds, runs each pattern on 2,600 texts: seconds
def test_every_extract_pattern_is_unmatched_where_its_literals_are_missing():
    texts = _texts()
    patterns = _extract_patterns()
    assert len(patterns) > 100
    skipped = 0
    for name, p in patterns:
        assert p.literals is not None
        for t in texts:
            key = text_key(t)
            if not any(lit in key for lit in p.literals):  # what ``possible`` checks (on long texts)
                skipped += 1
                assert p.regex.search(t) is None, (name, t)
    assert skipped > len(patterns) * len(texts) // 2  # most of the calls need not run the pattern


def test_prefiltered_methods_answer_as_the_pattern_does():
    p = prefiltered(r"\b(?:reviewed|managed)\s+by\b", re.I)
    for t in ["Imaging is reviewed by Acme.", "Nothing here.", "MANAGED  BY x; managed by y", ""]:
        assert _span(p.search(t)) == _span(p.regex.search(t))
        assert [m.span() for m in p.finditer(t)] == [m.span() for m in p.regex.finditer(t)]
        assert p.sub("<>", t) == p.regex.sub("<>", t)
        assert p.subn("<>", t) == p.regex.subn("<>", t)
        assert p.split(t) == p.regex.split(t)
        assert p.findall(t) == p.regex.findall(t)
        assert _span(p.match(t)) == _span(p.regex.match(t))
        assert _span(p.fullmatch(t)) == _span(p.regex.fullmatch(t))


def _span(m: re.Match[str] | None) -> tuple[int, int] | None:
    return m.span() if m else None


_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "ab",
        "ba",
        "K",
        "s",
        r"\b",
        r"\s+",
        r"\s*",
        "[ab]",
        "[^a]",
        ".",
        "(?:a|bb)",
        "(?:ab)?",
        "a+",
        "b{2}",
        "(?:a|)",
        "(?=a)",
        "(?<!b)",
        "(?i:ab)",
        r"\w",
        "^",
        "$",
        "’",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    alternatives=st.lists(st.lists(_PIECES, min_size=1, max_size=5), min_size=1, max_size=3),
    ignorecase=st.booleans(),
    texts=st.lists(st.text(alphabet="abAB sKkſıİ’x", max_size=12), min_size=1, max_size=8),
)
def test_required_literals_are_required_for_generated_patterns(alternatives, ignorecase, texts):
    pattern = "|".join("".join(a) for a in alternatives)
    p = prefiltered(pattern, re.I if ignorecase else 0)
    for t in texts:
        if not p.possible(t):
            assert p.regex.search(t) is None, (pattern, t, p.literals)
