"""``build --workers N``: a process pool parses and extracts; the database is the same for every N."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from conftest import DATA, PHARMACY, WEBPAGE
from payerkg.cli import app
from warehouse import Warehouse


def _rules(db) -> list[tuple]:
    with Warehouse(db, read_only=True) as wh:
        return wh.query("SELECT * FROM coverage_rules ORDER BY rule_id")[1]


@pytest.mark.slow  # a process pool
def test_two_workers_build_the_same_database_as_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in (PHARMACY, WEBPAGE, DATA / "northwind_grid.html", DATA / "acme_memo.md"):
        shutil.copy(p, corpus / p.name)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")  # a bad file among good ones
    out = {}
    for n in (1, 2):
        db = tmp_path / f"w{n}.duckdb"
        res = CliRunner().invoke(app, ["build", str(corpus), "--db", str(db), "--workers", str(n)])
        assert res.exit_code == 1, res.output  # the broken file, named
        assert "broken.pdf" in res.output and "4 parsed" in res.output
        out[n] = _rules(db)
    assert len(out[1]) > 50
    assert out[1] == out[2]
