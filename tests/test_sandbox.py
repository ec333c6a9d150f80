"""Sandboxed SQL (issue 18.3): ``payerkg query`` and ``Knowledge.query``/``rows`` read the database and
nothing else — no file read or written, no database attached, no extension installed or loaded, no
setting changed — unless files are allowed (``--allow-files``, ``allow_files=True``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import payerkg
from factories import SOUTHBAY, SPRING, Corpus
from payerkg.cli import app
from warehouse import Warehouse


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> Path:
    """Two hand-made memos loaded without extraction (5 rules)."""
    base = tmp_path_factory.mktemp("sandbox")
    corpus = Corpus(base / "memos")
    corpus.folder.mkdir()
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    db = base / "kb.duckdb"
    with Warehouse(db) as wh:
        wh.load(corpus.batch())
    return db


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    csv = tmp_path / "secret.csv"
    csv.write_text("name,value\nNorthwind,42\n", encoding="utf-8")
    return {"csv": csv, "out": tmp_path / "written.csv", "other": tmp_path / "other.duckdb", "dir": tmp_path / "dump"}


def refused(files: dict[str, Path]) -> dict[str, str]:
    return {
        "COPY … TO": f"COPY (SELECT 1 AS x) TO '{files['out']}'",
        "read_csv": f"SELECT * FROM read_csv('{files['csv']}')",
        "a file by name": f"SELECT * FROM '{files['csv']}'",
        "read_text": f"SELECT * FROM read_text('{files['csv']}')",
        "glob": f"SELECT * FROM glob('{files['csv'].parent}/*')",
        "ATTACH": f"ATTACH '{files['other']}' AS other",
        "INSTALL": "INSTALL httpfs",
        "LOAD": "LOAD httpfs",
        "EXPORT DATABASE": f"EXPORT DATABASE '{files['dir']}'",
        "a setting": "SET enable_external_access = true",
        "the lock": "SET lock_configuration = false",
        "a write": "DELETE FROM documents",
    }


def test_sql_reads_the_database_and_no_file(kb, files):
    with payerkg.open(kb) as k:
        assert k.rows("SELECT count(*) FROM coverage_rules").rows == [(5,)]
        assert k.query("SELECT vendor FROM coverage_rules ORDER BY vendor").df()["vendor"].nunique() == 2
        for what, sql in refused(files).items():
            with pytest.raises(payerkg.QueryError) as e:
                k.rows(sql)
            message = str(e.value)
            assert "\n" not in message, what
            if what != "a write":
                assert "--allow-files" in message, (what, message)
            else:
                assert "read-only" in message
        assert k.rows("SELECT current_setting('enable_external_access')").rows == [(False,)]
    assert not files["out"].exists() and not files["other"].exists() and not files["dir"].exists()


def test_files_are_allowed_when_asked(kb, files, tmp_path):
    with payerkg.open(kb, allow_files=True) as k:
        assert k.rows(f"SELECT name, value FROM read_csv('{files['csv']}')").rows == [("Northwind", 42)]
        k.rows(f"COPY (SELECT count(*) AS n FROM coverage_rules) TO '{files['out']}' (HEADER)")
    assert files["out"].read_text(encoding="utf-8").split() == ["n", "5"]


def test_an_export_still_writes_after_sandboxed_sql(kb, tmp_path):
    with payerkg.open(kb) as k:
        k.rows("SELECT 1")
        written = k.export(tmp_path / "rules.parquet", format="parquet")
    assert written.count == 5 and (tmp_path / "rules.parquet").stat().st_size > 0


def test_payerkg_query_neither_writes_nor_reads_a_file_without_allow_files(kb, files):
    runner = CliRunner()
    res = runner.invoke(app, ["query", f"COPY (SELECT 1) TO '{files['out']}'", "--db", str(kb)])
    assert res.exit_code == 2 and not files["out"].exists()
    assert (
        len(res.output.strip().splitlines()) == 1 and res.output.startswith("error: ") and "--allow-files" in res.output
    )
    res = runner.invoke(app, ["query", f"SELECT * FROM read_csv('{files['csv']}')", "--db", str(kb)])
    assert res.exit_code == 2 and "Northwind" not in res.output
    res = runner.invoke(
        app, ["query", f"SELECT * FROM read_csv('{files['csv']}')", "--db", str(kb), "--allow-files", "-f", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.split() == ["name,value", "Northwind,42"]
