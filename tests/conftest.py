"""Shared fixtures: seed paths, parsed seed documents (parsed once per session), databases.

Markers: ``slow`` is for tests that spawn processes, build or parse all seeds, or run several whole
builds (extraction and validation, about a second each); ``make test-quick`` leaves them out and
``make test`` runs everything. A test that uses ``seed_build``, or is parametrized over the seed
documents, is slow automatically.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"

BULLETIN = SEEDS / "000_8f9831b6703bc328.pdf"
BULLETIN_TXT = SEEDS / "000_8f9831b6703bc328.txt"
PHARMACY = SEEDS / "001_e5baff2b9bde9ead.pdf"
PHARMACY_TXT = SEEDS / "001_e5baff2b9bde9ead.txt"
WEBPAGE = SEEDS / "002_0269d5baffaabe18.html"
DECK_AZ = SEEDS / "003_ece5d0ae532cab28.pdf"
DECK_KC = SEEDS / "004_b93c26da9521528b.pdf"
SEED_ORIGINALS = [BULLETIN, PHARMACY, WEBPAGE, DECK_AZ, DECK_KC]

#: Tests in files this suite's owners do not maintain that take seconds (parsing every seed or a whole
#: slide deck, scanning every module; ``test_devset_*`` read the development corpus outside the
#: repository): marked slow here until their files carry the marker themselves.
SLOW_ELSEWHERE = {
    "test_slide_is_one_section_headed_by_its_title",
    "test_no_payer_vendor_group_or_service_name_in_python_code",
    "test_every_quote_occurs_on_its_page",
    "test_precision_and_recall_against_hand_written_golden",
    "test_single_column_pages_and_tables_are_not_split",
    "test_no_copyright_footer_or_slide_number_in_decks",
}

_cache: dict = {}


def parsed(path: Path):
    from ingest import ingest_file

    if path not in _cache:
        _cache[path] = ingest_file(path)
    return _cache[path]


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        over_seeds = any(isinstance(v, Path) and v in SEED_ORIGINALS for v in params.values())
        elsewhere = item.originalname in SLOW_ELSEWHERE or item.originalname.startswith("test_devset_")
        if "seed_build" in getattr(item, "fixturenames", ()) or elsewhere or over_seeds:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seed_doc():
    return parsed


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The five seeds built once into a database that tests copy before they change anything."""
    base = tmp_path_factory.mktemp("wh")
    corpus = base / "corpus"
    corpus.mkdir()
    for p in SEED_ORIGINALS:
        shutil.copy(p, corpus / p.name)
    db = base / "seeds.duckdb"
    from payerkg.pipeline import build

    report = build([corpus], db)
    return corpus, db, report


@pytest.fixture(scope="session")
def planted_build(tmp_path_factory):
    """Northwind's spring and autumn bulletins (``tests/data/conflicts``: four planted contradictions)
    built once with their vocabulary; tests read it and copy it before they change anything."""
    from payerkg.pipeline import build

    base = tmp_path_factory.mktemp("planted")
    docs = base / "docs"
    docs.mkdir()
    for name in ("northwind_spring.md", "northwind_autumn.md"):
        shutil.copy(DATA / "conflicts" / name, docs / name)
    report = build([docs], base / "planted.duckdb", config={"vocab": DATA / "conflicts" / "vocab.yml"})
    return docs, base / "planted.duckdb", report


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A database file that does not exist yet."""
    return tmp_path / "test.duckdb"


@pytest.fixture
def corpus(tmp_path):
    """An empty folder of hand-made memos (``tests/factories.py``)."""
    from factories import Corpus

    folder = tmp_path / "memos"
    folder.mkdir()
    return Corpus(folder)


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """A command run in-process (``CliRunner``) configures logging (``payerkg.logs``): each test
    starts from the configuration the one before it found, so no level or handler leaks into the
    next test (a DEBUG level left by ``-vv`` would print into a test that captures stderr)."""
    names = ["", "payerkg", "ingest", "extract", "graph", "warehouse"]
    levels = {n: logging.getLogger(n or None).level for n in names}
    handlers = list(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    for h in handlers:
        if h not in root.handlers:
            root.addHandler(h)
    for n, level in levels.items():
        logging.getLogger(n or None).setLevel(level)
