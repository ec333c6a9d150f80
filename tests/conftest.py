"""Shared fixtures: seed paths, parsed seed documents (parsed once per session)."""

from __future__ import annotations

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

_cache: dict = {}


def parsed(path: Path):
    from ingest import ingest_file

    if path not in _cache:
        _cache[path] = ingest_file(path)
    return _cache[path]


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
