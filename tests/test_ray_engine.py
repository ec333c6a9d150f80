"""``build --engine ray``: each document a Ray task, on a local Ray with 2 CPUs (``ray.init(num_cpus=2)``),
streamed into the one DuckDB writer. The database is the same as ``--workers 1`` builds (same rows of
``coverage_rules``, the "rules hash"), a bad file is named, and a document past ``--doc-timeout`` is
cancelled (E140) while the others load. Skipped only when Ray is not installed (``payerkg[ray]``,
which ``make test`` and CI install)."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from typer.testing import CliRunner

import payerkg
from conftest import DATA, PHARMACY, WEBPAGE
from payerkg.cli import app
from warehouse import Warehouse

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[test,ray]'")

pytestmark = pytest.mark.slow  # a local Ray cluster and whole builds


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def rules_hash(db) -> tuple[int, str]:
    with Warehouse(db, read_only=True) as wh:
        rows = wh.query("SELECT * FROM coverage_rules ORDER BY rule_id")[1]
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_ray_builds_the_same_database_as_one_worker(tmp_path, local_ray):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in (PHARMACY, WEBPAGE, DATA / "northwind_grid.html", DATA / "acme_memo.md"):
        shutil.copy(p, corpus / p.name)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")  # a bad file among good ones
    hashes = {}
    for engine, extra in (("local", ["--workers", "1"]), ("ray", ["--engine", "ray"])):
        db = tmp_path / f"{engine}.duckdb"
        res = CliRunner().invoke(app, ["build", str(corpus), "--db", str(db), *extra])
        assert res.exit_code == 1, res.output  # the broken file, named
        assert "broken.pdf" in res.output and "4 parsed" in res.output
        assert "all 27 expectations passed" in res.output
        hashes[engine] = rules_hash(db)
    assert hashes["ray"][0] > 50
    assert hashes["ray"] == hashes["local"]


def test_a_long_pdf_is_read_in_page_ranges_and_gives_the_same_database(tmp_path, local_ray, monkeypatch):
    """A PDF of more than SPLIT_PAGES pages is read as range tasks and put together by one more task:
    the same rules as one worker reading it whole (here 10-page ranges: seed 003 has 73 pages)."""
    from conftest import DECK_AZ
    from payerkg import ray_engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in (DECK_AZ, PHARMACY):
        shutil.copy(p, corpus / p.name)
    monkeypatch.setattr(ray_engine, "SPLIT_PAGES", 10)
    split = []
    ranges = ray_engine.page_ranges
    monkeypatch.setattr(ray_engine, "page_ranges", lambda *a: split.append(ranges(*a)) or split[-1])
    hashes = {}
    for engine, extra in (("local", ["--workers", "1"]), ("ray", ["--engine", "ray"])):
        db = tmp_path / f"{engine}.duckdb"
        res = CliRunner().invoke(app, ["build", str(corpus), "--db", str(db), *extra])
        assert res.exit_code == 0, res.output
        hashes[engine] = rules_hash(db)
    assert sorted(len(r) for r in split) == [0, 8]  # the 6-page PDF whole, the 73-page one in 8 ranges
    assert hashes["ray"] == hashes["local"] and hashes["ray"][0] > 5


def test_a_document_past_the_time_limit_is_cancelled_and_the_rest_loads(tmp_path, local_ray):
    from test_isolation import VOCAB, one_line_page

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "slow.html").write_text(one_line_page(4_000_000), encoding="utf-8")  # far past 8 s to extract
    for name in ("northwind_spring.md", "southbay.md"):
        shutil.copy(DATA / "conflicts" / name, docs / name)
    report = payerkg.build([docs], db=tmp_path / "t.duckdb", config={"vocab": VOCAB, "doc_timeout": 8, "engine": "ray"})
    codes = {e.path.rsplit("/", 1)[-1]: (e.code, e.reason) for e in report.failures}
    assert codes == {"slow.html": ("E140", "time limit exceeded (still running after 8 s; --doc-timeout)")}
    assert report.result.parsed == 2 and report.result.rules > 0


def test_the_engine_is_a_checked_setting():
    with pytest.raises(payerkg.ConfigError, match="engine must be one of local, ray"):
        payerkg.BuildConfig(engine="spark")
    cfg = payerkg.BuildConfig.from_env({"PAYERKG_ENGINE": "ray", "RAY_ADDRESS": "ray://head:10001"})
    assert (cfg.engine, cfg.ray_address) == ("ray", "ray://head:10001")
