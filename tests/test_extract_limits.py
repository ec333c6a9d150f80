"""Extraction reads any block in time linear in its length (issue 18 part 5): long sentences are read
in pieces, long texts are annotated in slices, and long runs without a space are not tokenized."""

from __future__ import annotations

import time

import pytest

from extract.nlp import MAX_SLICE, MAX_TOKEN_CHARS, Annotator
from extract.text import MAX_SENTENCE_CHARS, sentences
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
