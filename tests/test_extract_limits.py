"""Extraction reads any block in time linear in its length (issue 18 part 5): long sentences are read
in pieces, long texts are annotated in slices, and long runs without a space are not tokenized."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.member_lines import NAME_TOKEN_RE
from extract.nlp import MAX_SLICE, MAX_TOKEN_CHARS, Annotator
from extract.text import MAX_SENTENCE_CHARS, PrefixMatches, _normalize_map_chars, normalize, normalize_map, sentences
from extract.vendors import PROPER_RE
from extract.vocabulary import Vocabulary
from ingest import parse_bytes


@pytest.fixture(scope="module")
def extractor_annotate() -> Annotator:
    return Annotator(Vocabulary.load())


def test_a_run_on_sentence_is_read_in_pieces_within_the_limit():
    text = "eviCore manages prior authorization for Medicare Advantage, " * 300
    spans = sentences(text)
    assert len(spans) > 1 and all(e - a <= MAX_SENTENCE_CHARS for a, e in spans)
    assert " ".join(text[a:e] for a, e in spans) == text.strip()


def test_ordinary_sentences_are_unchanged():
    text = "Carelon reviews imaging. It starts January 1, 2025; members call the number."
    assert [text[a:e] for a, e in sentences(text)] == [
        "Carelon reviews imaging.",
        "It starts January 1, 2025;",
        "members call the number.",
    ]


def test_a_mention_at_a_slice_boundary_is_found(extractor_annotate):
    filler = "word " * ((MAX_SLICE - 3) // 5)
    text = filler + "eviCore healthcare reviews imaging."
    found = [m.text for m in extractor_annotate(text).of("VENDOR")]
    assert found == ["eviCore healthcare"] or found == ["eviCore"]


def test_long_runs_without_a_space_are_not_tokenized_in_quadratic_time(extractor_annotate):
    """Regression (fuzz, tests/data/fuzz/long_token_run.md): 20,000 characters of '**a' took a minute
    in spaCy's suffix search."""
    start = time.process_time()
    ann = extractor_annotate("**a" * 20_000 + " eviCore reviews imaging.")
    assert time.process_time() - start < 5
    assert [m.text for m in ann.of("VENDOR")] == ["eviCore"]
    assert MAX_TOKEN_CHARS >= 100  # vocabulary words and portals are far shorter


def test_a_page_of_one_run_on_sentence_is_extracted_in_linear_time():
    """Regression (issue 18): a block of one sentence repeated without a sentence end made reading
    each mention walk the whole block: 60 KB took 13 s."""
    from extract import Extractor

    ex = Extractor()
    unit = "eviCore manages prior authorization for Medicare Advantage. "
    times = []
    for n in (500, 2_000):
        doc = parse_bytes(f"<html><body><main><p>{unit * n}</p></main></body></html>".encode(), "run-on.html")
        start = time.process_time()
        ex.extract(doc)
        times.append(time.process_time() - start)
    assert times[1] < 10 * times[0] + 1  # 4× the text: about 4× the time, far from 16×


_SCAN_ALPHABET = ["Acme", "Health", "of", "and", "members", "(ACR)", "(", ")", ",", " ", "  ", "x.y", "care", "Plan"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(_SCAN_ALPHABET), max_size=40),
    ends=st.lists(st.integers(0, 400), min_size=1, max_size=8),
)
def test_prefix_matches_are_the_matches_of_the_prefix(words, ends):
    """``PrefixMatches`` scans a sentence once for all the places a name is looked for before."""
    text = "".join(words)
    for pattern in (NAME_TOKEN_RE, PROPER_RE):
        scan = PrefixMatches(pattern)
        for end in ends:
            end = min(end, len(text))
            expected = [m.span() for m in pattern.finditer(text[:end])][::-1]
            assert [m.span() for m in scan.reversed_before(text, end)] == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aB .\t\n*®\u00a0¹SM", max_size=60))
def test_normalize_map_reads_word_by_word_as_it_read_character_by_character(text):
    fast = normalize_map(text)
    assert fast == _normalize_map_chars(text) and fast.text == normalize(text)


def test_a_sentence_of_hundreds_of_names_and_verbs_is_read_in_linear_time():
    """Looking for a subject before each verb scanned the sentence up to it (a 3,000-character
    piece of vocabulary words: each verb rescanned it, 2 ms a verb)."""
    from extract import Extractor

    piece = "eviCore healthcare manages Medicare Advantage reviews requests for Northwind Health "
    doc = parse_bytes(f"<html><body><main><p>{piece * 12_000}</p></main></body></html>".encode(), "dense.html")
    extractor = Extractor()
    start = time.process_time()
    extractor.extract(doc)
    assert time.process_time() - start < 10  # 1 M characters: 3.1 s before, 1.1 s


def test_a_long_list_of_services_is_read_without_cubic_work():
    """Each item of a list under a vendor's heading was compared with every earlier one, and the
    list of names rebuilt for each comparison: 1,000 items took 27.8 s of CPU (3,000 more than
    300 s), now 2.0 s. The comparisons themselves are still one per earlier item (3,000: 19.5 s)."""
    from extract import Extractor

    items = "".join(f"<li>Item {i} imaging</li>" for i in range(1_000))
    doc = parse_bytes(
        f"<html><body><h2>Services eviCore reviews</h2><ul>{items}</ul></body></html>".encode(), "list.html"
    )
    extractor = Extractor()
    start = time.process_time()
    extractor.extract(doc)
    assert time.process_time() - start < 10


def test_each_block_of_a_run_knows_the_level_of_the_next_list_item():
    from extract.lists import _next_item_levels
    from ingest.model import Block, BlockKind

    kinds = [BlockKind.LIST_ITEM, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.LIST_ITEM]
    levels = [1, 0, 2, 1]
    run = [Block(i, k, str(i), 1, (), level=lv) for i, (k, lv) in enumerate(zip(kinds, levels))]
    assert _next_item_levels(run) == [2, 2, 1, None]
    assert _next_item_levels([]) == []
