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

from warehouse import bulk

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
