"""What a build lets go of (issue 16: peak RSS of a 1,000-document build ≤ 500 MiB). Memory figures are
measured in ``benchmarks/`` (``rss_probe.py``); these tests assert on values: which objects are still
alive, what a worker has done, never on bytes of RSS."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import duckdb
import pytest

from factories import SPRING, Memo, vocab
from warehouse import Warehouse, bulk, stream

ROOT = Path(__file__).resolve().parent.parent


def _arrow_tables_written(monkeypatch) -> list[weakref.ref]:
    """Weak references to every Arrow table ``warehouse.bulk`` inserts from now on."""
    refs: list[weakref.ref] = []
    insert = bulk._insert

    def spy(con, table, columns, arrow):
        refs.append(weakref.ref(arrow))
        return insert(con, table, columns, arrow)

    monkeypatch.setattr(bulk, "_insert", spy)
    return refs


@pytest.mark.parametrize("write", ["columns", "rows"])
def test_a_bulk_insert_inside_a_transaction_does_not_keep_its_arrow_table(monkeypatch, write):
    # con.register() made each batch a catalog view; unregistering it inside a transaction kept the
    # entry, and the Arrow table, until COMMIT: a build held every batch of rows it had written
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, text VARCHAR)")
    refs = _arrow_tables_written(monkeypatch)
    con.execute("BEGIN TRANSACTION")
    for i in range(3):
        if write == "columns":
            bulk.insert_columns(con, "t", {"id": [i, i + 10], "text": [f"a{i}", f"b{i}"]})
        else:
            bulk.insert_rows(con, "t", [{"id": i, "text": f"a{i}"}, {"id": i + 10, "text": f"b{i}"}])
    gc.collect()
    assert len(refs) == 3
    assert [r() for r in refs] == [None, None, None]  # let go while the transaction is still open
    assert con.execute("SELECT count(*), sum(id) FROM t").fetchall() == [(6, 36)]  # and the rows are in it
    con.execute("COMMIT")
    assert con.execute("SELECT id, text FROM t ORDER BY rowid").fetchall() == [
        (0, "a0"), (10, "b0"), (1, "a1"), (11, "b1"), (2, "a2"), (12, "b2"),
    ]  # fmt: skip


def test_the_driver_names_the_unknown_payer_as_extraction_does():
    from extract.payer import UNKNOWN
    from warehouse.notices import UNKNOWN_PAYER

    assert UNKNOWN_PAYER == UNKNOWN


def test_a_build_driver_imports_no_extractor():
    # the driver streams documents into DuckDB and validates; spaCy is the workers' (one copy each)
    code = (
        "import sys, payerkg.cli, payerkg.pipeline, warehouse.load, warehouse.validate, warehouse.report; "
        "print(sorted(m for m in ('spacy', 'thinc', 'extract.nlp', 'extract.payer', 'pdfplumber') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("threads", [1, 2])
def test_staged_rows_wait_in_a_file_and_go_in_with_one_insert_in_order(monkeypatch, tmp_path, threads):
    # a build's blocks and mentions: DuckDB holds many small inserts in memory until COMMIT, while one
    # large insert it writes to the database file as it goes (with more than one thread)
    con = duckdb.connect(str(tmp_path / "staged.duckdb"))
    con.execute(f"SET threads = {threads}")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, path VARCHAR[], text VARCHAR)")
    built: list[weakref.ref] = []
    arrow_table = bulk.arrow_table
    monkeypatch.setattr(bulk, "arrow_table", lambda *a: built.append(weakref.ref(t := arrow_table(*a))) or t)
    con.execute("BEGIN TRANSACTION")
    staged = bulk.Staged(con, "t", str(tmp_path))
    for start in (0, 3, 6):
        ids = list(range(start, start + 3))
        staged.write({"id": ids, "path": [[f"s{i}", "x"] for i in ids], "text": [f"row {i}" for i in ids]})
    staged.write({"id": [], "path": [], "text": []})  # nothing to add
    gc.collect()
    assert [r() for r in built] == [None, None, None]  # each batch is in the file, not in memory
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]  # nor in the table yet
    assert staged.insert() == 9
    assert staged.insert() == 0  # the file is gone with the insert
    con.execute("COMMIT")
    assert con.execute("SELECT id, path, text FROM t ORDER BY rowid").fetchall() == [
        (i, [f"s{i}", "x"], f"row {i}") for i in range(9)
    ]


def test_a_streaming_load_keeps_no_document_it_was_handed_and_stages_its_blocks(monkeypatch, tmp_path):
    monkeypatch.setattr(stream, "BATCH_ROWS", 1)  # every document's rows leave the buffers when it is added

    memos = [Memo(f"Bulletin {i}", SPRING.lines, source=f"b{i}.md", extra=f"copy {i}\n") for i in range(3)]
    for m in memos:
        m.write(tmp_path)
    with Warehouse(tmp_path / "kb.duckdb") as wh:
        run = wh.stream([str(tmp_path)], vocab(), "hand-made")
        gone, blocks = [], []
        for m in memos:
            p = m.parsed(tmp_path)
            blocks += [(p.document.doc_id, b.index, b.text) for b in p.document.blocks]
            gone += [weakref.ref(p), weakref.ref(p.document)]
            run.add(p)
            del p
        gc.collect()
        assert [r() for r in gone] == [None] * 6  # written (or staged) and let go
        assert wh.con.execute("SELECT count(*) FROM blocks").fetchall() == [(0,)]  # staged until the end
        result = run.finish({}, [])
        assert result.parsed == 3
        assert wh.con.execute("SELECT doc_id, block_index, text FROM blocks ORDER BY rowid").fetchall() == blocks


@pytest.mark.slow
def test_the_validator_process_finds_what_the_suites_find_in_place(tmp_path):
    from factories import Corpus
    from payerkg.validator import Validator
    from warehouse.validate import run_suites

    corpus = Corpus(tmp_path)
    corpus.put(SPRING)
    with Warehouse(tmp_path / "kb.duckdb") as wh:
        wh.load(corpus.batch())
        wh.con.execute("BEGIN TRANSACTION")  # as in a build: the suites read the transaction's rows
        wh.con.execute("UPDATE statements SET effective_from = DATE '1900-01-01'")  # one check fails
        in_place = run_suites(wh.con, 2, vocab())
        with Validator(tmp_path) as validator:
            apart = validator.run(wh.con, 2, vocab())
            process = validator._process
        wh.con.execute("ROLLBACK")
    assert [r.kind for r in in_place.failed] == ["effective_date"]
    assert apart == in_place
    assert process is not None and validator._process is None  # closed, and its process gone with it
    assert not list(tmp_path.glob("payerkg-validate-*"))  # the batches' files too


@pytest.mark.slow
def test_a_build_validates_without_importing_great_expectations(tmp_path):
    # great-expectations (~150 MiB with scipy, altair and SQLAlchemy) is the validator process's
    folder = tmp_path / "docs"
    folder.mkdir()
    SPRING.write(folder)
    code = (
        "import sys; from payerkg.pipeline import build; "
        f"r = build([{str(folder)!r}], {str(tmp_path / 'kb.duckdb')!r}); "
        "print(r.validation is not None and r.validation.success, 'great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.stdout.split() == ["True", "False"], out.stderr[-2000:]
