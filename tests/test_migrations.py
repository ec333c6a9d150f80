"""Schema versions: a database built before them (``tests/data/legacy``) is migrated by a read-write
open or refused, with a message saying what to do, by a read-only one; a newer one is refused."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import payerkg
from conftest import DATA
from payerkg.cli import app
from warehouse import SCHEMA_VERSION, SchemaVersionError, Warehouse, WarehouseError, migrations

LEGACY = DATA / "legacy"


@pytest.fixture
def legacy(tmp_path, monkeypatch) -> Path:
    """A copy of the legacy database, in a folder laid out as when it was built (sources are relative)."""
    db = tmp_path / "v1.duckdb"
    with gzip.open(LEGACY / "v1.duckdb.gz") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copytree(LEGACY / "docs", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    return db


def _tables(db: Path) -> dict[str, list]:
    """Every table's rows, read without payerkg (so whatever the schema version)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in names}
    finally:
        con.close()


def test_a_read_only_open_refuses_an_old_database_and_says_what_to_do(legacy):
    before = legacy.read_bytes()
    with pytest.raises(SchemaVersionError) as e:
        payerkg.open(legacy)
    message = str(e.value)
    assert "from before schema versions" in message and f"reads version {SCHEMA_VERSION}" in message
    assert f"payerkg migrate --db {legacy}" in message
    assert legacy.read_bytes() == before
    res = CliRunner().invoke(app, ["query", "select 1", "--db", str(legacy)])
    assert res.exit_code == 2 and "payerkg migrate" in res.output


def test_migrate_upgrades_in_place_and_keeps_every_row(legacy):
    with Warehouse(legacy):  # a read-write open migrates
        pass
    assert payerkg.migrate(legacy) is None  # nothing left to do
    with payerkg.open(legacy) as kb:
        rules = kb.rows(
            "SELECT payer, vendor, scope, exceptions, quote_start, bbox, effective_to FROM coverage_rules ORDER BY ALL"
        ).rows
        history = kb.rows("SELECT version, status FROM documents WHERE payer LIKE 'Northwind%' ORDER BY version").rows
        changes = kb.rows("SELECT build_id, change, field FROM rule_changes WHERE change = 'changed'").rows
        versions = kb.rows("SELECT version, name FROM schema_version ORDER BY version").rows
        statements = kb.statements()
    assert len(rules) == 8 and {r[4:] for r in rules} == {(None, None, None)}
    assert history == [(1, "superseded"), (2, "active")] and changes == [(2, "changed", "exceptions")]
    assert [v[0] for v in versions] == list(range(1, SCHEMA_VERSION + 1))
    assert all(s.quote_start == -1 and s.explain == () and not s.payer_new for s in statements)
    assert {len(s.exception_refs) for s in statements} == {0, 1}


def test_the_cli_migrates_and_then_reads(legacy):
    res = CliRunner().invoke(app, ["migrate", "--db", str(legacy)])
    assert res.exit_code == 0, res.output
    assert f"migrated {legacy} from before schema versions to schema version {SCHEMA_VERSION}" in res.output
    again = CliRunner().invoke(app, ["migrate", "--db", str(legacy)])
    assert again.exit_code == 0 and "nothing to migrate" in again.output
    res = CliRunner().invoke(
        app, ["query", "select count(*) as n from coverage_rules", "--db", str(legacy), "--format", "csv"]
    )
    assert res.exit_code == 0 and res.stdout.splitlines() == ["n", "8"]


@pytest.mark.slow  # a whole build
def test_a_build_migrates_first_and_re_extracts_what_the_old_schema_lacked(legacy):
    before = _tables(legacy)
    report = payerkg.build(["docs"], db=legacy, config={"vocab": LEGACY / "vocab.yml"})
    assert report.migrated_from == 0
    r = report.result
    assert (r.build_id, r.parsed, r.unchanged, r.superseded) == (3, 2, 0, 0)  # same bytes, re-extracted
    after = _tables(legacy)
    assert after["builds"][:2] == before["builds"] and after["document_versions"] == before["document_versions"]
    assert after["rule_changes"][: len(before["rule_changes"])] == before["rule_changes"]
    with payerkg.open(legacy) as kb:
        filled = kb.rows("SELECT count(*) FROM coverage_rules WHERE quote_start IS NOT NULL").rows[0][0]
        total = kb.rows("SELECT count(*) FROM coverage_rules").rows[0][0]
    assert filled == total > 0


def test_a_newer_database_is_refused_by_every_open(legacy):
    with Warehouse(legacy):
        pass
    with Warehouse(legacy) as wh:
        wh.con.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', ?, '9.9.9')", [SCHEMA_VERSION + 1, datetime.now()]
        )
    for read_only in (True, False):
        with pytest.raises(
            SchemaVersionError,
            match=rf"schema version {SCHEMA_VERSION + 1} \(written by payerkg "
            rf"9\.9\.9\); this payerkg reads version {SCHEMA_VERSION}",
        ):
            Warehouse(legacy, read_only=read_only)


def test_a_failed_migration_leaves_the_database_as_it_was(legacy, monkeypatch):
    before = _tables(legacy)
    real = migrations.available()
    broken = migrations.Migration(len(real) + 1, "broken", real[0].file)

    def apply_broken(self, con):
        con.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(migrations, "available", lambda: [*real, broken])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(real) + 1)
    monkeypatch.setattr(
        migrations.Migration,
        "apply",
        lambda self, con: apply_broken(self, con) if self.name == "broken" else real_apply(self, con),
    )
    with pytest.raises(WarehouseError, match="migrating from schema version 0 failed, database unchanged"):
        Warehouse(legacy)
    monkeypatch.undo()
    with pytest.raises(SchemaVersionError, match="from before schema versions"):
        Warehouse(legacy, read_only=True)  # still the old layout, untouched
    assert _tables(legacy) == before


real_apply = migrations.Migration.apply


def test_a_database_that_is_not_payerkgs_is_refused(tmp_path):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE invoices (id INTEGER)").close()
    with pytest.raises(SchemaVersionError, match="not a payerkg database"):
        Warehouse(other)


def test_doc_keys_are_remade_with_the_one_normaliser_without_merging_documents():
    from importlib import import_module

    new_keys = import_module("warehouse.migrations.0003_doc_keys").new_keys
    rows = [
        ("acme|bluecaresm guide", "Acme", "BlueCareSM guide", 1),
        ("acme|bluecaresm guide", "Acme", "BlueCareSM guide", 2),
        ("acme|plan#a", "Acme", "Plan", 1),
        ("acme|fooxsm", "Acme", "FooxSM", 1),
        ("acme|foox", "Acme", "Foox", 1),
    ]
    assert new_keys(rows) == {"acme|bluecaresm guide": "acme|bluecare guide"}
