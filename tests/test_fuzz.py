"""The fuzzer (issue 18 part 5): its mutations and recipes are deterministic, its runner tells a crash
from a hang, and a bounded sample of its inputs (≤ 60 s) neither crashes nor hangs ingest + extract.

``make fuzz`` runs the long version; crashers and hangers it found are in ``tests/data/fuzz`` with a
regression test each (``test_fuzz_regressions.py``).
"""

from __future__ import annotations

import mmap
import random
import time
from pathlib import Path

import pytest

from conftest import SEEDS
from fuzz.cases import describe, make_cases, materialize
from fuzz.corpus import CorpusFile, Ctx, load_corpus
from fuzz.generate import GENERATORS, pdf_document, text_page
from fuzz.ops import KIND_HEAVY, KIND_LIGHT, OPS
from fuzz.report import Summary
from fuzz.run import prepare_parent, run_cases
from ingest import IngestOptions, InputError, parse_bytes

#: The in-suite sample: inputs are started for this many seconds, each with the CPU-time limit of
#: ``make fuzz``, and a heavy mutation adds at most this many bytes (``make fuzz``: 45 MB; extraction
#: reads about 1,500 small blocks a second, so 32 KB of one-line blocks stays well within the limit),
#: so the whole test stays within 60 s on two busy cores.
SAMPLE_SECONDS = 20
SAMPLE_TIME_LIMIT = 20.0
SAMPLE_MAX_BYTES = 32 * 1024
#: Fewest inputs the sample must have run for its verdict to mean something.
SAMPLE_MIN_INPUTS = 8


@pytest.fixture(scope="module")
def corpus() -> list[CorpusFile]:
    files = load_corpus([SEEDS])
    assert {f.kind for f in files} == {"pdf", "html", "text"}
    return files


def test_every_mutation_is_deterministic_and_gives_bytes(corpus):
    ctx = Ctx(kind="", corpus=corpus, max_bytes=64 * 1024)
    for kind in ("pdf", "html", "text"):
        data = next(Path(f.path).read_bytes() for f in corpus if f.kind == kind)
        for name in sorted(set(KIND_LIGHT[kind] + KIND_HEAVY[kind])):
            ctx.kind = kind
            first = OPS[name](data, random.Random(7), ctx)
            assert isinstance(first, bytes), name
            assert OPS[name](data, random.Random(7), ctx) == first, name


def test_recipes_are_deterministic_and_rebuild_the_same_bytes(corpus):
    a = list(make_cases(40, 3, corpus, max_bytes=64 * 1024, batch=10))
    b = list(make_cases(40, 3, corpus, max_bytes=64 * 1024, batch=10))
    assert a == b
    assert {"file", "gen", "data"} <= {next(iter(r["base"])) for r in a}  # every kind of base appears
    for r in a[:12]:
        assert materialize(r, corpus) == materialize(r, corpus), describe(r)


def test_generated_structure_bombs_are_refused_or_read():
    ctx = Ctx(kind="pdf", max_bytes=1024 * 1024, max_pages=20)
    for name, gen in sorted(GENERATORS.items()):
        data, suffix = gen(random.Random(1), ctx)
        code = None
        try:
            parse_bytes(data, "bomb" + suffix, options=IngestOptions(max_pages=ctx.max_pages))
        except InputError as e:
            code = e.code
        assert code in (None, "E141", "E142"), name


def test_the_pdf_writer_makes_pdfs_ingest_reads():
    page = text_page([(72, 720, 18, "Prior authorization", True), (72, 690, 10, "eviCore reviews imaging.", False)])
    doc = parse_bytes(pdf_document([page, page]), "two.pdf")
    assert doc.page_count == 2 and "eviCore reviews imaging." in doc.text + " ".join(doc.furniture)


class _Crashes:
    def extract(self, doc):
        raise ValueError("boom")


class _Spins:
    def extract(self, doc):
        while True:
            pass


@pytest.mark.slow
@pytest.mark.parametrize(("extractor", "outcome"), [(_Crashes(), "crash"), (_Spins(), "hang")], ids=["crash", "hang"])
def test_the_runner_tells_a_crash_from_a_hang(corpus, extractor, outcome):
    recipe = {"id": 1, "kind": "text", "base": {"file": str(SEEDS / "002_0269d5baffaabe18.txt")}, "ops": []}
    # a generous clock backstop: on a crowded machine the spinning child may get little CPU
    [(_, res)] = list(run_cases([recipe], corpus, extractor, jobs=1, time_limit=1.0, wall_factor=60))
    assert res["outcome"] == outcome
    if outcome == "crash":
        assert res["exc"] == "ValueError" and res["stage"] == "extract"
    else:
        assert res["stage"] == "extract" and res["seconds"] >= 1.0


@pytest.mark.slow
def test_an_input_has_its_memory_budget_whatever_its_parent_holds(corpus):
    # the suite's process, after in-process builds, held 2.5 GiB of address space (DuckDB,
    # great-expectations): a child capped at 2 GiB in all could not grow its stack, and a deep page
    # tree's RecursionError (E142) became a SIGSEGV. Untouched, the reservation costs no memory.
    reserved = mmap.mmap(-1, 3 * 1024**3)
    try:
        recipe = {
            "id": 1,
            "kind": "pdf",
            "base": {"gen": "pdf_deep_tree", "seed": 900556153},
            "ops": [],
            "max_bytes": 1024,
        }
        [(_, res)] = list(run_cases([recipe], corpus, prepare_parent(), jobs=1, time_limit=20.0, wall_factor=30))
    finally:
        reserved.close()
    assert (res["outcome"], res.get("code")) == ("input-error", "E142"), res


@pytest.mark.slow
def test_a_bounded_sample_neither_crashes_nor_hangs(corpus):
    """Issue 18 part 5, in the suite: the first inputs of a fixed sequence, for ``SAMPLE_SECONDS``."""
    extractor = prepare_parent()
    deadline = time.monotonic() + SAMPLE_SECONDS
    recipes = (
        r for r in make_cases(10_000, 18, corpus, max_bytes=SAMPLE_MAX_BYTES, batch=20) if time.monotonic() < deadline
    )
    summary = Summary(time_limit=SAMPLE_TIME_LIMIT)
    bad = []
    for recipe, res in run_cases(recipes, corpus, extractor, jobs=2, time_limit=SAMPLE_TIME_LIMIT):
        summary.add(recipe, res)
        if res["outcome"] in ("crash", "hang"):
            bad.append((describe(recipe), res["outcome"], res.get("exc"), res.get("msg"), res.get("frame")))
    assert bad == [], summary.text(2, 18)
    assert summary.n >= SAMPLE_MIN_INPUTS, summary.text(2, 18)
    assert not summary.printed, summary.text(2, 18)  # libraries log, they do not print
