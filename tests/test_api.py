"""The Python API: ``import payerkg`` gives build, extract, diff, open → Knowledge, migrate and
BuildConfig; results are typed, nothing prints, errors are PayerkgErrors. The README's notebook
session runs as written."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

import payerkg
from conftest import DATA, PHARMACY_TXT, ROOT
from extract import Extraction, Statement
from warehouse.conflicts import Conflict
from warehouse.diff import Diff
from warehouse.export import Export
from warehouse.who import Answer

CONFLICTS = DATA / "conflicts"
VOCAB = CONFLICTS / "vocab.yml"


@pytest.fixture(scope="module")
def kb_path(planted_build) -> Path:
    """Built by ``payerkg.build`` (conftest)."""
    _, db, report = planted_build
    assert isinstance(report, payerkg.BuildReport) and report.ok
    return db


def test_the_api_is_at_the_top_of_the_package():
    for name in (
        "build",
        "extract",
        "extract_all",
        "diff",
        "open",
        "migrate",
        "BuildConfig",
        "BuildReport",
        "Knowledge",
        "PayerkgError",
        "InputError",
        "NoDatabaseError",
        "SchemaVersionError",
        "QueryError",
        "ConfigError",
    ):
        assert getattr(payerkg, name) is not None, name
    assert set(payerkg.__all__) >= {"build", "extract", "open", "BuildConfig"}
    with pytest.raises(AttributeError):
        payerkg.no_such_thing  # noqa: B018


def test_knowledge_answers_with_typed_results_and_prints_nothing(kb_path, tmp_path, capfd):
    with payerkg.open(kb_path, config={"vocab": VOCAB}) as kb:
        answer = kb.who(
            "genetic testing",
            line_of_business="Commercial PPO",
            segment="fully insured",
            group="Contoso Steel Retirees",
        )
        found = kb.conflicts()
        relation = kb.query("select vendor, count(*) as n from coverage_rules group by 1 order by 1")
        columns, vendors = relation.columns, list(relation.df()["vendor"])  # a relation lives while kb is open
        rows = kb.rows("select count(*) from coverage_rules").rows[0][0]
        written = kb.export(tmp_path / "rules.jsonl")
        graph = kb.graph()
        statements = kb.statements()
    assert isinstance(answer, Answer) and answer.findings and answer.resolved["segment"] == "fully_insured"
    assert found and all(isinstance(c, Conflict) for c in found)
    assert columns == ["vendor", "n"] and vendors == sorted(vendors) and vendors
    assert isinstance(written, Export) and written.count == rows == len(statements) and written.unit == "rules"
    assert graph.g.number_of_nodes() > 0
    assert all(isinstance(s, Statement) for s in statements)
    assert capfd.readouterr() == ("", "")


def test_extract_and_diff_need_no_database(tmp_path, capfd):
    extraction = payerkg.extract(CONFLICTS / "northwind_spring.md", vocab=VOCAB)
    assert isinstance(extraction, Extraction) and extraction.payer == "Northwind Health Plan"
    assert len(extraction.statements) == len(list(extraction)) > 0
    d = payerkg.diff(CONFLICTS / "northwind_spring.md", CONFLICTS / "northwind_autumn.md", config={"vocab": VOCAB})
    assert isinstance(d, Diff) and d.changes and d.new_label == "northwind_autumn.md"
    assert capfd.readouterr() == ("", "")


def test_errors_are_payerkg_errors(kb_path, tmp_path):
    with pytest.raises(payerkg.NoDatabaseError):
        payerkg.open(tmp_path / "missing.duckdb")
    with payerkg.open(kb_path) as kb:
        with pytest.raises(payerkg.QueryError, match="nope"):
            kb.rows("select nope")
        with pytest.raises(payerkg.ArgumentError, match="unknown segment"):
            kb.who("genetic testing", segment="everyone")
        with pytest.raises(payerkg.ArgumentError, match="--since needs --format jsonl"):
            kb.export(tmp_path / "x.parquet", format="parquet", since="1")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(payerkg.InputError, match="E101"):
        payerkg.extract(empty)
    with pytest.raises(payerkg.ArgumentError, match="no such file"):
        payerkg.diff(tmp_path / "nope.pdf", PHARMACY_TXT, db=tmp_path / "missing.duckdb")
    assert issubclass(payerkg.ConfigError, payerkg.PayerkgError)


# -- BuildConfig -------------------------------------------------------------------------------------
def test_build_config_is_frozen_and_validated(tmp_path):
    cfg = payerkg.BuildConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.workers = 3  # type: ignore[misc]
    for bad in ({"workers": -1}, {"max_bytes": 0}, {"stale_days": 0}, {"vocab": tmp_path / "none.yml"}):
        with pytest.raises(payerkg.ConfigError):
            payerkg.BuildConfig(**bad)
    assert cfg.replace(workers=0).worker_count == (os.cpu_count() or 1)
    assert cfg.replace(db=None) == cfg  # None means "leave it"


def test_the_environment_is_read_in_one_place(tmp_path, monkeypatch):
    env = {
        "PAYERKG_DB": str(tmp_path / "env.duckdb"),
        "PAYERKG_WORKERS": "3",
        "PAYERKG_MAX_BYTES": "1000",
        "PAYERKG_VOCAB": str(VOCAB),
    }
    cfg = payerkg.BuildConfig.from_env(env)
    assert (cfg.db, cfg.workers, cfg.max_bytes, cfg.vocab) == (tmp_path / "env.duckdb", 3, 1000, VOCAB)
    assert payerkg.BuildConfig.from_env(env, workers=1).workers == 1  # arguments beat the environment
    with pytest.raises(payerkg.ConfigError, match=r"\$PAYERKG_WORKERS='many'"):
        payerkg.BuildConfig.from_env({"PAYERKG_WORKERS": "many"})
    monkeypatch.setenv("PAYERKG_WORKERS", "2")
    assert payerkg.BuildConfig.resolve(None).workers == 2
    assert payerkg.BuildConfig.resolve({"max_bytes": 5}).workers == 2
    assert payerkg.BuildConfig.resolve(payerkg.BuildConfig()).workers == 1  # a config is taken as it is
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for pkg in ("payerkg", "warehouse", "graph")
        for p in (ROOT / pkg).rglob("*.py")
        if p.name != "config.py"
    )
    assert not re.search(r"os\.environ|getenv", code)
