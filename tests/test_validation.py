"""great-expectations checks: they pass on the seeds, each kind fails on a corrupted copy of the
database, results are stored and reported, and ``build --strict`` fails the build."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import DATA
from extract import Vocabulary
from payerkg.cli import app
from payerkg.pipeline import validation_report_path
from warehouse import Warehouse
from warehouse.batches import write_batches
from warehouse.report import write_validation_report
from warehouse.validate import KINDS, load_report, run_suites, validate_files

CONFLICTS = DATA / "conflicts"
#: schema 1, not_null 14, value_set 4, unique 1, quote 2, bbox 1, vendor 1, exception_scope 1, effective_date 1,
#: row_count 1
EXPECTATIONS = 27


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


def test_seed_build_passes_every_check_and_stores_the_results(seed_build):
    _, db, report = seed_build
    v = report.validation
    assert v is not None and v.success and v.carried_from is None
    assert {r.kind for r in v.results} == set(KINDS)
    assert len(v.results) == EXPECTATIONS
    rules = next(r for r in v.results if r.kind == "unique")
    assert rules.element_count == report.result.rules > 0 and rules.unexpected_count == 0
    with Warehouse(db, read_only=True) as wh:
        stored = load_report(wh.con)
    assert stored.build_id == report.result.build_id
    assert [(r.kind, r.column_name, r.success) for r in stored.results] == [
        (r.kind, r.column_name, r.success) for r in v.results
    ]
    html = report.validation_html
    assert html == validation_report_path(db) and html.exists()
    text = html.read_text(encoding="utf-8")
    n = report.result.conflicts
    assert f"all {EXPECTATIONS} expectations passed" in text and f"{n} conflict{'' if n == 1 else 's'} across" in text


def _loosen(con: duckdb.DuckDBPyConnection) -> None:
    """Swap ``statements`` for a copy without constraints, so rows the loader would never write can be."""
    con.execute("CREATE TABLE statements_loose AS SELECT * FROM statements")
    con.execute("DROP TABLE statements")
    con.execute("ALTER TABLE statements_loose RENAME TO statements")


@contextmanager
def _copy_of(db: Path, to: Path, loose: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a copy of ``db`` (with ``statements`` loosened unless ``loose`` is false)."""
    copy = to / "corrupt.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    try:
        if loose:
            _loosen(con)
        yield con
    finally:
        con.close()


def _one(con, where: str = "TRUE") -> str:
    return con.execute(f"SELECT min(rule_id) FROM statements WHERE {where}").fetchall()[0][0]


CORRUPTIONS = {
    # kind: SQL run on a loosened copy of the seed database (``{rid}`` is one rule's id)
    "schema": ["ALTER TABLE statements ALTER page TYPE BIGINT"],
    "not_null": ["UPDATE statements SET vendor = NULL WHERE rule_id = '{rid}'"],
    "value_set": ["UPDATE statements SET segment = 'everyone' WHERE rule_id = '{rid}'"],
    "unique": ["INSERT INTO statements SELECT * FROM statements WHERE rule_id = '{rid}'"],
    "quote": ["UPDATE statements SET quote = quote || ' and every other member' WHERE rule_id = '{rid}'"],
    # a PDF rule's box running off the right edge of its page
    "bbox": [
        "UPDATE statements SET bbox = {{'x0': 72, 'top': 90, 'x1': 9000, 'bottom': 100}} WHERE rule_id = '{rid_box}'"
    ],
    "vendor": ["UPDATE statements SET vendor = 'Initech Health Services', vendor_new = false WHERE rule_id = '{rid}'"],
    "exception_scope": ["UPDATE statements SET scope = 'select' WHERE rule_id = '{rid_exc}'"],
    "effective_date": ["UPDATE statements SET effective_from = DATE '1900-01-01' WHERE rule_id = '{rid}'"],
    # a rebuild in which one document suddenly yields a tenth of its rules
    "row_count": [
        """INSERT INTO doc_rule_counts
                     SELECT build_id + 1, doc_key, doc_id, rules // 10 FROM doc_rule_counts
                     WHERE doc_key = (SELECT min(doc_key) FROM doc_rule_counts)"""
    ],
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_each_kind_of_check_fails_on_corrupted_rows(kind, seed_build, tmp_path, vocab):
    _, db, _ = seed_build
    with _copy_of(db, tmp_path) as con:
        rid, rid_exc, rid_box = _one(con), _one(con, "len(exceptions) > 0"), _one(con, "bbox IS NOT NULL")
        for sql in CORRUPTIONS[kind]:
            con.execute(sql.format(rid=rid, rid_exc=rid_exc, rid_box=rid_box))
        report = run_suites(con, 99, vocab)
        # a build's validator process reads the same batches copied out, and finds the same
        assert validate_files(write_batches(con, 99, (), tmp_path), 99, vocab) == report
    failed = {r.kind for r in report.failed}
    assert failed == {kind}, [(r.kind, r.column_name, r.unexpected_values) for r in report.failed]
    bad = report.failed[0]
    assert bad.unexpected_count >= 1
    if kind in ("not_null", "value_set", "quote", "vendor", "exception_scope", "effective_date"):
        assert rid in bad.unexpected_ids or rid_exc in bad.unexpected_ids
    if kind == "schema":
        assert bad.unexpected_ids == ["page"]
    if kind == "vendor":
        assert bad.unexpected_values == ["Initech Health Services"]
    if kind == "bbox":
        assert bad.unexpected_ids == [rid_box] and bad.unexpected_values[0].endswith("box 72, 90, 9000, 100")


def test_a_new_vendor_flagged_new_is_not_a_failure(seed_build, tmp_path, vocab):
    _, db, _ = seed_build
    with _copy_of(db, tmp_path, loose=False) as con:
        con.execute(
            "UPDATE statements SET vendor = 'Initech Health Services', vendor_new = true "
            "WHERE rule_id = (SELECT min(rule_id) FROM statements)"
        )
        assert run_suites(con, 99, vocab).success


def test_report_escapes_document_text(seed_build, tmp_path, vocab):
    _, db, _ = seed_build
    with _copy_of(db, tmp_path) as con:
        con.execute(
            "UPDATE statements SET vendor = '<script>alert(1)</script>', vendor_new = false "
            "WHERE rule_id = (SELECT min(rule_id) FROM statements)"
        )
        report = run_suites(con, 99, vocab)
        out = write_validation_report(con, report, "copy.duckdb", tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"1 of {EXPECTATIONS} expectations failed" in html


def _cli_build(folder: Path, db: Path, *extra: str):
    return CliRunner().invoke(
        app, ["build", str(folder), "--db", str(db), "--vocab", str(CONFLICTS / "vocab.yml"), *extra]
    )


@pytest.mark.slow  # three whole builds
def test_strict_build_exits_3_when_a_document_loses_most_of_its_rules(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "bulletin.md"
    text = (CONFLICTS / "northwind_spring.md").read_text(encoding="utf-8")
    doc.write_text(text, encoding="utf-8")
    db = tmp_path / "v.duckdb"
    first = _cli_build(folder, db, "--strict")
    assert first.exit_code == 0, first.output
    assert f"validation: all {EXPECTATIONS} expectations passed" in first.output
    # the next issue of the same bulletin keeps one of its five lines
    keep = [ln for ln in text.splitlines() if not ln.startswith("- ") or "Medicare Choice — All groups" in ln]
    doc.write_text("\n".join(keep) + "\n", encoding="utf-8")
    second = _cli_build(folder, db, "--strict")
    assert second.exit_code == 3, second.output
    assert "1 superseded" in second.output
    assert (
        f"validation: 1 of {EXPECTATIONS} expectations failed (great-expectations): row_count (rule_ratio)"
        in second.output
    )
    with Warehouse(db, read_only=True) as wh:
        rows = wh.query("""SELECT check_kind, success, unexpected_values FROM validation_results
                           WHERE build_id = 2 AND NOT success""")[1]
        assert rows == [("row_count", False, ["0.2"])]
        # a failed expectation is reported, not rolled back: the build is in the database
        assert wh.query("SELECT count(*) FROM coverage_rules")[1][0][0] == 1
    # without --strict the same situation is a warning, exit 0; nothing changed, so build 2's results carry
    third = _cli_build(folder, db)
    assert third.exit_code == 0, third.output
    assert f"1 of {EXPECTATIONS} expectations failed" in third.output and "results of build 2" in third.output
    assert "FAIL" in validation_report_path(db).read_text(encoding="utf-8")


# -- on hand-made rows (no extraction) ------------------------------------------------------------------
def _spring_db(corpus, db_path) -> Path:
    from factories import SPRING

    corpus.put(SPRING)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    return db_path


def test_a_quote_away_from_its_offsets_fails_the_quote_check(corpus, db_path):
    from factories import vocab as conflicts_vocab

    with _copy_of(_spring_db(corpus, db_path), db_path.parent) as con:
        rid = _one(con, "quote_start IS NOT NULL")
        con.execute("UPDATE statements SET quote_start = quote_start + 1 WHERE rule_id = ?", [rid])
        report = run_suites(con, 1, conflicts_vocab())
    [bad] = report.failed  # and every other expectation passes on hand-made rows
    assert (bad.kind, bad.column_name, bad.unexpected_ids) == ("quote", "quote_not_at_offsets", [rid])
    assert len(report.results) == EXPECTATIONS and {r.kind for r in report.results} == set(KINDS)
